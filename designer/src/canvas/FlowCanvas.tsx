// The flow drawn with @xyflow/react (zoom, pan, fit, minimap). Positions come from
// layoutFlow and are never stored: dragging a step, a signer or a round label onto another
// (HTML drag and drop) changes their order in the flow, and the layout follows. Alt+arrows on
// a focused card do the same from the keyboard; Ctrl-C / Ctrl-V copy and paste steps and signers.
import { Background, Controls, Handle, MiniMap, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { memo, useCallback, useEffect, useMemo, useRef, type DragEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowDefinition, ValidationIssue } from '../../../flows';
import { insert, type InsertAction } from '../edits';
import { useEditor } from '../store';
import { useUi } from '../ui';
import { useHighlight } from '../simulate/highlight';
import { CardBody } from './cards';
import { cardForPath, layoutFlow, type AddNode, type CardNode, type RoundNode } from './layout';
import { apply, clipboard, dropOn, gripOf, keyMove, spotSelector, tell, useCanvasNote, type Arrow, type Grip, type Spot } from './moves';

type CardData = { node: CardNode; flow: FlowDefinition; problems: ValidationIssue[]; selected: boolean };
type AddData = { node: AddNode };
type RoundData = { node: RoundNode };

// ---- Moving by drag and drop, by Alt+arrows; copy and paste.
let inFlight: Grip | null = null;
const ARROWS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']);
const KEYS = 'Alt+ArrowUp Alt+ArrowDown Alt+ArrowLeft Alt+ArrowRight Control+C Control+V';

function gripHandlers(grip: Grip | null) {
  if (!grip) return {};
  return {
    draggable: true,
    onDragStart: (e: DragEvent) => {
      inFlight = grip;
      e.dataTransfer.effectAllowed = 'move';
      // not text/plain: dropped on a text field of the drawer, it must not become typed text
      e.dataTransfer.setData('application/x-sealflow-card', JSON.stringify(grip));
    },
    onDragEnd: () => {
      inFlight = null;
    },
  };
}

function spotHandlers(spot: Spot) {
  const fits = () => {
    const flow = useEditor.getState().flow;
    return !!(inFlight && flow && dropOn(flow, inFlight, spot));
  };
  return {
    onDragOver: (e: DragEvent<HTMLElement>) => {
      if (!fits()) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      e.currentTarget.classList.add('drop-target');
    },
    onDragLeave: (e: DragEvent<HTMLElement>) => e.currentTarget.classList.remove('drop-target'),
    onDrop: (e: DragEvent<HTMLElement>) => {
      e.currentTarget.classList.remove('drop-target');
      const flow = useEditor.getState().flow;
      const outcome = inFlight && flow ? dropOn(flow, inFlight, spot) : null;
      inFlight = null;
      if (!outcome) return;
      e.preventDefault();
      apply(outcome, 'moved');
    },
  };
}

/** A card reached with Tab (or moved by keys) that is out of view is brought into view, at the same zoom. */
function useReveal(box: { x: number; y: number; width: number; height: number }) {
  const { setCenter, getZoom } = useReactFlow();
  return (e: { currentTarget: HTMLElement }) => {
    const frame = e.currentTarget.closest<HTMLElement>('.react-flow');
    if (!frame) return;
    frame.scrollTop = 0; // the browser scrolls what focus reaches; xyflow pans instead
    frame.scrollLeft = 0;
    const [outer, inner] = [frame.getBoundingClientRect(), e.currentTarget.getBoundingClientRect()];
    if (inner.top >= outer.top && inner.bottom <= outer.bottom && inner.left >= outer.left && inner.right <= outer.right) return;
    void setCenter(box.x + box.width / 2, box.y + box.height / 2, { zoom: getZoom(), duration: 150 });
  };
}

/** Alt+arrows move, Ctrl-C / Ctrl-V copy and paste; true when the key was taken. */
function moveKeys(e: KeyboardEvent, grip: Grip | null, path: string | null): boolean {
  const flow = useEditor.getState().flow;
  if (!flow) return false;
  if (e.altKey && !e.ctrlKey && !e.metaKey && ARROWS.has(e.key)) {
    if (!grip) return false;
    e.preventDefault();
    const outcome = keyMove(flow, grip, e.key as Arrow);
    if (outcome) apply(outcome, 'moved');
    else tell('cannotMove');
    return true;
  }
  if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && path !== null && (e.key === 'c' || e.key === 'v')) {
    e.preventDefault();
    if (e.key === 'c') {
      const taken = clipboard.copy(flow, path);
      tell(taken ? 'copied' : 'nothingToCopy', taken?.kind);
    } else {
      const outcome = clipboard.paste(flow, path);
      if (outcome) apply(outcome, 'pasted');
      else tell('cannotPaste', clipboard.current?.kind);
    }
    return true;
  }
  return false;
}

const hidden = { opacity: 0, pointerEvents: 'none' } as const;

const CardView = memo(function CardView({ data }: NodeProps<Node<CardData>>) {
  const { node, flow, problems, selected } = data;
  const select = useUi((s) => s.select);
  const lit = useHighlight((s) => (s.lit ? s.lit.has(node.id) : null)); // a simulation's path: lit or dimmed
  const invalid = problems.length > 0;
  const { t } = useTranslation();
  const grip = gripOf(node.path);
  const reveal = useReveal(node);
  return (
    <div
      className={`card card-${node.kind}${invalid ? ' invalid' : ''}${selected ? ' selected' : ''}${grip ? ' movable nopan' : ''}${lit === null ? '' : lit ? ' lit' : ' dim'}`}
      style={{ width: node.width, height: node.height }}
      data-testid={`card-${node.id}`}
      data-path={node.path}
      data-invalid={invalid}
      data-lit={lit ?? undefined}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      aria-keyshortcuts={grip ? KEYS : undefined}
      {...gripHandlers(grip)}
      {...spotHandlers({ kind: 'card', path: node.path })}
      onClick={() => select(node.path)}
      onFocus={reveal}
      onKeyDown={(e) => {
        if (moveKeys(e, grip, node.path)) return;
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          select(node.path);
        }
      }}
      title={problems.map((p) => `${p.path}: ${p.message}`).join('\n') || (grip ? t(grip.kind === 'step' ? 'canvas.stepHint' : 'canvas.signerHint') : undefined)}
    >
      <Handle type="target" position={Position.Top} style={hidden} isConnectable={false} />
      <CardBody node={node} flow={flow} problems={problems} />
      <Handle type="source" position={Position.Bottom} style={hidden} isConnectable={false} />
    </div>
  );
});

function AddView({ data }: NodeProps<Node<AddData>>) {
  const { t } = useTranslation();
  const { action } = data.node;
  const label = t(`add.${action.type}`);
  const run = (a: InsertAction) => {
    const { flow, setFlow } = useEditor.getState();
    if (!flow) return;
    const next = insert(flow, a);
    setFlow(next.flow);
    useUi.getState().select(next.path);
  };
  return (
    <>
      <Handle type="target" position={Position.Top} style={hidden} isConnectable={false} />
      <button type="button" className={`add add-${action.type}`} title={label} aria-label={label} data-testid={data.node.id} onClick={() => run(action)} {...spotHandlers({ kind: 'gap', action })}>
        +
      </button>
      <Handle type="source" position={Position.Bottom} style={hidden} isConnectable={false} />
    </>
  );
}

function JoinView() {
  return (
    <>
      <Handle type="target" position={Position.Top} style={hidden} isConnectable={false} />
      <div className="join" />
      <Handle type="source" position={Position.Bottom} style={hidden} isConnectable={false} />
    </>
  );
}

/** A signing round's label: drag it onto another round's (or Alt+↑/↓) to reorder rounds; drop a signer on it to move the signer into that round. */
function RoundView({ data }: NodeProps<Node<RoundData>>) {
  const { t } = useTranslation();
  const { node } = data;
  const grip: Grip = { kind: 'round', index: node.index };
  const reveal = useReveal(node);
  const lit = useHighlight((s) => (s.lit ? s.lit.has(node.id) : null));
  return (
    <div
      className={`round-label movable nopan${lit === null ? '' : lit ? ' lit' : ' dim'}`}
      data-lit={lit ?? undefined}
      style={{ width: node.width, height: node.height }}
      data-testid={node.id}
      data-round={node.index}
      role="group"
      tabIndex={0}
      aria-label={t('canvas.roundLabel', { n: node.index + 1 })}
      aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"
      {...gripHandlers(grip)}
      {...spotHandlers({ kind: 'round', index: node.index })}
      onFocus={reveal}
      onKeyDown={(e) => moveKeys(e, grip, null)}
    >
      <span aria-hidden="true">⠿</span> {t('card.round', { n: node.index + 1 })}
    </div>
  );
}

/** What the last move, copy or paste did, said where screen readers hear it. */
function CanvasNote() {
  const { t } = useTranslation();
  const note = useCanvasNote((s) => s.note);
  // said for a few seconds, then gone (a screen reader has read it by then)
  useEffect(() => {
    if (!note) return;
    const timer = setTimeout(() => useCanvasNote.setState((s) => (s.note === note ? { note: null } : s)), 5000);
    return () => clearTimeout(timer);
  }, [note]);
  return (
    <div className="canvas-note" role="status" aria-live="polite" data-testid="canvas-note">
      {note ? t(`canvas.${note.key}`, { kind: note.kind ? t(`canvas.kind.${note.kind}`) : '' }) : ''}
    </div>
  );
}

const nodeTypes = { card: CardView, add: AddView, join: JoinView, round: RoundView };

function Canvas({ flow, issues }: { flow: FlowDefinition; issues: ValidationIssue[] }) {
  const selected = useUi((s) => s.selected);
  const focusRequest = useUi((s) => s.focusRequest);
  const layout = useMemo(() => layoutFlow(flow), [flow]);
  const { setCenter, setViewport } = useReactFlow();
  const { t, i18n } = useTranslation();
  // xyflow's own labels (controls, minimap), in the reader's language
  const ariaLabels = useMemo(
    () => ({
      'controls.ariaLabel': t('canvas.controls'),
      'controls.zoomIn.ariaLabel': t('canvas.zoomIn'),
      'controls.zoomOut.ariaLabel': t('canvas.zoomOut'),
      'controls.fitView.ariaLabel': t('canvas.fitView'),
      'minimap.ariaLabel': t('canvas.minimap'),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [i18n.language],
  );
  const frame = useRef<HTMLDivElement>(null);
  // Like an approval designer: the top of the flow first, at full size when it fits the width.
  const home = useCallback(() => {
    const width = frame.current?.clientWidth ?? 1200;
    const zoom = Math.min(1, Math.max(0.3, (width - 80) / layout.width));
    void setViewport({ x: width / 2, y: 24, zoom });
  }, [layout.width, setViewport]);

  const byCard = useMemo(() => {
    const map = new Map<string, ValidationIssue[]>();
    for (const issue of issues) {
      const card = cardForPath(layout, issue.path);
      if (card) map.set(card.id, [...(map.get(card.id) ?? []), issue]);
    }
    return map;
  }, [issues, layout]);

  const nodes: Node[] = useMemo(
    () =>
      layout.nodes.map((n) => ({
        id: n.id,
        type: n.type,
        position: { x: n.x, y: n.y },
        width: n.width,
        height: n.height,
        draggable: false,
        connectable: false,
        selectable: false,
        focusable: false,
        data: n.type === 'card' ? { node: n, flow, problems: byCard.get(n.id) ?? [], selected: selected === n.path } : { node: n },
        // xyflow drags nothing; cards that move use the browser's drag and drop
        className: n.type === 'round' || (n.type === 'card' && gripOf(n.path)) ? 'nodrag' : undefined,
      })),
    [layout, flow, byCard, selected],
  );
  const edges: Edge[] = useMemo(() => layout.edges.map((e) => ({ ...e, type: 'smoothstep', pathOptions: { offset: 8, borderRadius: 8 }, selectable: false, focusable: false, className: 'connector' })), [layout]);

  useEffect(() => {
    if (!focusRequest || selected === null) return;
    const card = layout.nodes.find((n) => n.type === 'card' && n.path === selected);
    if (card) void setCenter(card.x + card.width / 2, card.y + card.height / 2, { zoom: 1, duration: 250 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusRequest]);

  // After a move or paste the card (now elsewhere, under another id) keeps the keyboard focus.
  const focusAfter = useCanvasNote((s) => s.focus);
  useEffect(() => {
    if (!focusAfter) return;
    const frameId = requestAnimationFrame(() => {
      frame.current?.querySelector<HTMLElement>(spotSelector(focusAfter))?.focus({ preventScroll: true });
      useCanvasNote.setState({ focus: null });
    });
    return () => cancelAnimationFrame(frameId);
  }, [focusAfter, layout]);

  return (
    <div ref={frame} className="canvas-frame">
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      minZoom={0.2}
      maxZoom={1.5}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      proOptions={{ hideAttribution: true }}
      ariaLabelConfig={ariaLabels}
      onInit={home}
    >
      <Background gap={20} color="#e3e7ee" />
      <Controls showInteractive={false} />
      <MiniMap pannable zoomable nodeColor={(n) => (n.type === 'card' ? ((n.data as CardData).problems.length ? '#f04438' : '#8aa4d6') : 'transparent')} />
    </ReactFlow>
    <CanvasNote />
    </div>
  );
}

export function FlowCanvas(props: { flow: FlowDefinition; issues: ValidationIssue[] }) {
  return (
    <div className="canvas" data-testid="canvas">
      <ReactFlowProvider>
        <Canvas {...props} />
      </ReactFlowProvider>
    </div>
  );
}
