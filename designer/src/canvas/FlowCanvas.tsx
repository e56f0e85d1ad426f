// The flow drawn with @xyflow/react (zoom, pan, fit, minimap). Positions come from
// layoutFlow; nothing here is dragged or stored.
import { Background, Controls, Handle, MiniMap, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { memo, useCallback, useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowDefinition, ValidationIssue } from '../../../flows';
import { insert, type InsertAction } from '../edits';
import { useEditor } from '../store';
import { useUi } from '../ui';
import { CardBody } from './cards';
import { cardForPath, layoutFlow, type AddNode, type CardNode } from './layout';

type CardData = { node: CardNode; flow: FlowDefinition; problems: ValidationIssue[]; selected: boolean };
type AddData = { node: AddNode };

const hidden = { opacity: 0, pointerEvents: 'none' } as const;

const CardView = memo(function CardView({ data }: NodeProps<Node<CardData>>) {
  const { node, flow, problems, selected } = data;
  const select = useUi((s) => s.select);
  const invalid = problems.length > 0;
  return (
    <div
      className={`card card-${node.kind}${invalid ? ' invalid' : ''}${selected ? ' selected' : ''}`}
      style={{ width: node.width, height: node.height }}
      data-testid={`card-${node.id}`}
      data-path={node.path}
      data-invalid={invalid}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      onClick={() => select(node.path)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          select(node.path);
        }
      }}
      title={problems.map((p) => `${p.path}: ${p.message}`).join('\n') || undefined}
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
      <button type="button" className={`add add-${action.type}`} title={label} aria-label={label} data-testid={data.node.id} onClick={() => run(action)}>
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

const nodeTypes = { card: CardView, add: AddView, join: JoinView };

function Canvas({ flow, issues }: { flow: FlowDefinition; issues: ValidationIssue[] }) {
  const selected = useUi((s) => s.selected);
  const focusRequest = useUi((s) => s.focusRequest);
  const layout = useMemo(() => layoutFlow(flow), [flow]);
  const { setCenter, setViewport } = useReactFlow();
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
      onInit={home}
    >
      <Background gap={20} color="#e3e7ee" />
      <Controls showInteractive={false} />
      <MiniMap pannable zoomable nodeColor={(n) => (n.type === 'card' ? ((n.data as CardData).problems.length ? '#f04438' : '#8aa4d6') : 'transparent')} />
    </ReactFlow>
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
