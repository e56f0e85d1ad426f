// The door from outside: REST API (and, later, signer pages and the designer).
export { createApp, type AppOptions } from './app';
export { AppError } from './errors';
