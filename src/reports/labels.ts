export { STATUS_LABEL } from '../domain/reasons.js';
