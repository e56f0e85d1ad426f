import { Type, type Static } from '@sinclair/typebox';
import { RestCallbackSettings } from '../rest/callback';

export const BpmSettingsSchema = Type.Object({ ...RestCallbackSettings }, { additionalProperties: false });
export type BpmSettings = Static<typeof BpmSettingsSchema>;
