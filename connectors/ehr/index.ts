// eHR (REST/JSON): a new-hire event starts one onboarding contract per employee — the
// flow bundles the labour contract, the NDA and the onboarding acknowledgement, and the
// mapping decides which of them an employee gets.
import { Type, type Static } from '@sinclair/typebox';
import { defineConnector } from '../kit/define';
import { parsePayload } from '../kit/payload';
import { postOutcome } from '../rest/callback';
import { EhrSettingsSchema } from './auth';

export { EhrSettingsSchema, type EhrSettings } from './auth';

const Employee = Type.Object({
  employeeId: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  idNumber: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  mobile: Type.Optional(Type.String()),
  department: Type.Optional(Type.String()),
  position: Type.Optional(Type.String()),
  startDate: Type.String({ format: 'date' }),
  contractYears: Type.Optional(Type.Number({ minimum: 0 })),
  probationMonths: Type.Optional(Type.Number({ minimum: 0 })),
  monthlySalary: Type.Optional(Type.Number({ minimum: 0 })),
  /** Employees with access to confidential information also sign the NDA. */
  confidentialAccess: Type.Optional(Type.Boolean()),
});

export const NewHireEventSchema = Type.Object({
  eventId: Type.String({ minLength: 1 }),
  eventType: Type.Literal('employee.hired'),
  company: Type.Object({ name: Type.String({ minLength: 1 }), unit: Type.Optional(Type.String()) }),
  employees: Type.Array(Employee, { minItems: 1 }),
});
export type NewHireEvent = Static<typeof NewHireEventSchema>;

/** One item per employee; keyed by employee and start date, so a re-hire later is a new contract. */
export function newHireItems(event: NewHireEvent) {
  return event.employees.map((employee) => ({
    sourceKey: `hire:${employee.employeeId}:${employee.startDate}`,
    record: { ...employee, company: event.company, eventId: event.eventId },
    version: event.eventId,
  }));
}

export const ehrNewHires = defineConnector({
  id: 'ehr_new_hires',
  displayName: 'eHR new hires',
  description: 'Starts an onboarding contract bundle (labour contract, NDA, onboarding acknowledgement) for every employee of a new-hire event.',
  auth: { schema: EhrSettingsSchema },
  triggers: {
    webhook: {
      kind: 'webhook',
      async itemsFromPayload(_ctx, payload) {
        return newHireItems(parsePayload(NewHireEventSchema, payload, 'new-hire event'));
      },
    },
  },
  actions: {
    writeBack: ({ settings, signal }, request) => postOutcome(settings, request, signal),
  },
  defaultMapping: `{
  "employee": { "id": employeeId, "name": name, "idNumber": idNumber, "email": email, "mobile": mobile,
                "department": department, "position": position },
  "company": company.name,
  "startDate": startDate,
  "labourContract": { "years": contractYears ? contractYears : 3, "probationMonths": probationMonths ? probationMonths : 6,
                      "monthlySalary": monthlySalary },
  "needsNda": confidentialAccess = true,
  "documents": ["labour-contract", confidentialAccess = true ? "nda", "onboarding-ack"]
}`,
});
