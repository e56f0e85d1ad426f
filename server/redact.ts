// Redaction moved to observability/ (the logger every process writes through uses it); the
// server's modules keep importing it from here.
export { redact, redactConsole, redactingLog } from '../observability/redact';
