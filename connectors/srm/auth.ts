import { Type, type Static } from '@sinclair/typebox';
import { RestCallbackSettings } from '../rest/callback';

export const SrmSettingsSchema = Type.Object({ ...RestCallbackSettings }, { additionalProperties: false });
export type SrmSettings = Static<typeof SrmSettingsSchema>;
