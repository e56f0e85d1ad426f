import { Type, type Static } from '@sinclair/typebox';
import { RestCallbackSettings } from '../rest/callback';

export const EhrSettingsSchema = Type.Object({ ...RestCallbackSettings }, { additionalProperties: false });
export type EhrSettings = Static<typeof EhrSettingsSchema>;
