// The ledger's filters and selection outlive a visit to a contract page: back in the ledger
// the user finds the tab, filters and ticked rows they left.
import { create } from 'zustand';
import type { LedgerFilters } from './api';

/** Columns the export may hold, in the order the hub writes them. */
export const EXPORT_COLUMNS = ['id', 'title', 'status', 'flow', 'parties', 'amount', 'sourceKey', 'orgUnit', 'initiator', 'waitingOn', 'createdAt', 'updatedAt'] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

interface LedgerState {
  filters: LedgerFilters;
  selected: string[];
  columns: ExportColumn[];
  setFilters(change: Partial<LedgerFilters>): void;
  resetFilters(): void;
  toggle(id: string): void;
  setSelected(ids: string[]): void;
  toggleColumn(column: ExportColumn): void;
}

const INITIAL: LedgerFilters = { sort: '-created' };

export const useLedger = create<LedgerState>()((set, get) => ({
  filters: INITIAL,
  selected: [],
  columns: ['id', 'title', 'status', 'parties', 'amount', 'createdAt'],
  setFilters: (change) => set({ filters: { ...get().filters, ...change } }),
  resetFilters: () => set({ filters: { ...INITIAL, status: get().filters.status } }),
  toggle: (id) => set({ selected: get().selected.includes(id) ? get().selected.filter((s) => s !== id) : [...get().selected, id] }),
  setSelected: (ids) => set({ selected: ids }),
  toggleColumn: (column) => {
    const columns = get().columns.includes(column) ? get().columns.filter((c) => c !== column) : [...get().columns, column];
    set({ columns: EXPORT_COLUMNS.filter((c) => columns.includes(c)) });
  },
}));
