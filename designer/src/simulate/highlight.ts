// The path a simulation lights on the canvas: the ids of the cards it passes through, or
// null when nothing is simulated (every card drawn as usual). Not part of undo/redo.
import { create } from 'zustand';

export interface Highlight {
  lit: ReadonlySet<string> | null;
  light(ids: ReadonlySet<string> | null): void;
}

export const useHighlight = create<Highlight>()((set) => ({
  lit: null,
  light: (lit) => set({ lit }),
}));
