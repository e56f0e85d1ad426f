// A flow whose approval plan passes the server's check at start and fails in the worker: the
// server checks the plan on the data as it came in; the worker gets that data through Temporal's
// JSON, which writes -0 as 0. This flow's amount tells the two apart (a stand-in for any plan
// that fails only there), so the contract starts and then ends as failed.
import type { FlowDefinition } from '../../flows';
import { approvalFlow } from './hub';

export const FAILING_PLAN_FLOW = 'rebate-purchase';
export const FAILING_PLAN_REASON = 'the rebate must be negative';

export function failingPlanFlow(): FlowDefinition {
  const base = approvalFlow();
  return {
    ...base,
    key: FAILING_PLAN_FLOW,
    name: '返利采购',
    data: { ...base.data, properties: { ...(base.data as any).properties, rebate: { type: 'number' } } } as FlowDefinition['data'],
    approval: { ...base.approval, amount: `=1 / rebate < 0 ? amount : $error("${FAILING_PLAN_REASON}")` },
  };
}

/** The start request's body as JSON text: JSON.stringify would write the -0 as 0. */
export const failingPlanStart = (poNumber: string, amount: number) =>
  `{"flow":"${FAILING_PLAN_FLOW}","data":{"poNumber":"${poNumber}","amount":${amount},"rebate":-0,"supplier":{"name":"深圳市华强电子有限公司"}}}`;
