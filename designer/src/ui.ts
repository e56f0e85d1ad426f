// What the editor shows but does not save (never part of undo/redo).
import { create } from 'zustand';

export interface Ui {
  tab: 'canvas' | 'json';
  /** JSON path of the card whose drawer is open. */
  selected: string | null;
  /** Bumped to ask the canvas to bring the selected card into view. */
  focusRequest: number;
  select(path: string | null, focus?: boolean): void;
  setTab(tab: Ui['tab']): void;
}

export const useUi = create<Ui>()((set, get) => ({
  tab: 'canvas',
  selected: null,
  focusRequest: 0,
  select: (path, focus = false) => set({ selected: path, focusRequest: focus ? get().focusRequest + 1 : get().focusRequest }),
  setTab: (tab) => set({ tab }),
}));
