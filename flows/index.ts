// The flow language: schema, types, validation, routing. Pure code, no I/O, safe for
// Temporal workflow code to import.
export * from './schema';
export * from './contract';
export * from './status';
export * from './contract-changes';
export { validateFlow, validateContractData, validateAgainstSchema, toIssues, type ValidationIssue, type ValidationResult } from './validation';
export { durationToMs } from './duration';
export { evaluate, compileExpression, isExpression, ExpressionError, EXPRESSION_LIMITS, expressionFailureType, isExpressionFailureType, type BoundedExpression, type ExpressionFailure } from './expression';
export { chooseTier, planApproval, DEFAULT_MAX_REMINDERS, DEFAULT_DELEGATE_POLL, type ApprovalPlan, type PlannedStep } from './routing';
export { simulateFlow, contractTitle, type Simulation, type SimulatedDocument, type SimulatedSigner } from './simulate';
export { approverMatches, parseApprover, type Approver } from './approvers';
export { creditCodeCheckCharacterOf, idNumberCheckDigitOf, isValidCreditCode, isValidIdNumber, normalizeIdNumber } from './identity-numbers';
export { levelsSatisfying, isPersonLevel, isCompanyLevel, requiredIdentity, IDENTITY_LEVELS, PERSON_IDENTITY_LEVELS, COMPANY_IDENTITY_LEVELS, type IdentityLevel, type PersonIdentityLevel, type CompanyIdentityLevel } from './identity-levels';
export { partyNames, planSigners, planSigning, signingRounds, type SigningPlan } from './signers';
