// "Fetch a sample record": the designer's connector screen reads one record from the
// instance's own system (its first page since its start point) to try the mapping on, so
// IT never has to copy a purchase order out of SAP by hand. Nothing is started, no cursor moves.
import { Type } from '@sinclair/typebox';
import { assertDestinationsAllowed, ConnectorError, type SourceItem } from '../../connectors';
import type { Store } from '../../store';
import { loadConnectorInstance } from '../../workflows';
import { AppError, notFound } from '../errors';
import { defineRoute } from '../route';

/** How long the source may take to answer before the designer is told so. */
const SAMPLE_WITHIN_MS = 30_000;

const SampleBody = Type.Object(
  { sourceKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the record to read (e.g. a purchase order number) among the first page; default the first record' })) },
  { additionalProperties: false },
);

export function connectorSampleRoutes({ store, masterKey }: { store: Store; masterKey: Uint8Array | null }) {
  return [
    defineRoute({
      method: 'post', path: '/api/connectors/:id/sample', tag: 'connectors', access: 'connectors.manage', body: SampleBody,
      summary: "Read one record from the instance's system (the first its poll would read, or the one named) to try the mapping on; starts nothing and moves no cursor",
      responses: {
        200: { description: '{sample: {sourceKey, record, version, skip}} or {sample: null} when the source has no record' },
        404: { description: 'no such instance' },
        409: { description: 'the connector cannot be polled, so it has no records to read on request' },
        502: { description: 'the system did not answer as expected' },
      },
      handler: async ({ params, body, actor }) => {
        const record = await store.connectors.get(actor!.tenantId, params.id);
        if (!record) throw notFound(`Connector instance "${params.id}"`);
        const instance = await loadConnectorInstance(store, masterKey, record.id).catch((error: unknown) => {
          if (error instanceof ConnectorError) throw new AppError('secrets_unreadable', error.message, { status: 409 });
          throw error;
        });
        if (!instance) throw notFound(`Connector instance "${params.id}"`);
        const poll = instance.connector.triggers.poll;
        if (!poll) throw new AppError('not_polled', `${instance.connector.displayName} only receives records by webhook: paste a sample record instead`, { status: 409 });
        const signal = AbortSignal.timeout(SAMPLE_WITHIN_MS);
        let items: SourceItem[];
        try {
          assertDestinationsAllowed(instance.connector, instance.settings);
          items = (await poll.fetchSince({ settings: instance.settings as never, signal }, null)).items;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new AppError('source_failed', `${instance.connector.displayName} did not give a record: ${message}`, { status: 502 });
        }
        const wanted = body.sourceKey?.trim();
        const item = wanted ? items.find((i) => i.sourceKey === wanted) : items[0];
        if (wanted && !item) throw new AppError('not_found', `No record "${wanted}" among the first ${items.length} the source gives`, { status: 404 });
        return { body: { sample: item ? { sourceKey: item.sourceKey, record: item.record, version: item.version ?? null, skip: item.skip ?? null } : null } };
      },
    }),
  ];
}
