// Live updates: one EventSource on /api/events for the whole console. The hub sends
// `event: contract` with {id, status, updatedAt} for contracts the caller may see; each
// screen refetches what it shows when one of them changes.
import { useEffect, useRef } from 'react';

export interface ContractEvent {
  id: string;
  status: string;
  updatedAt: string;
}

type Listener = (event: ContractEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;

/** Opens the stream once signed in; EventSource reconnects by itself after a drop. */
export function openEvents() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/events');
  source.addEventListener('contract', (message) => {
    let event: ContractEvent;
    try {
      event = JSON.parse((message as MessageEvent<string>).data);
    } catch {
      return;
    }
    for (const listener of listeners) listener(event);
  });
  // The hub ends the stream when the session no longer holds: reconnecting would only be refused.
  source.addEventListener('end', closeEvents);
}

export function closeEvents() {
  source?.close();
  source = null;
}

/**
 * Calls `refetch` when a contract changes (only `id`'s, when given), at most every
 * `quietMs`: a bulk nudge changes many contracts at once and should cost one refetch.
 */
export function useContractEvents(refetch: () => void, id?: string, quietMs = 400) {
  const latest = useRef(refetch);
  latest.current = refetch;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const listener: Listener = (event) => {
      if (id !== undefined && event.id !== id) return;
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        latest.current();
      }, quietMs);
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (timer) clearTimeout(timer);
    };
  }, [id, quietMs]);
}
