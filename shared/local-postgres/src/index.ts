export { startLocalPostgres, type LocalPostgres, type StartOptions } from './embedded.js';
export { freePort } from './free-port.js';
export {
  startDetachedPostgres,
  stopDetachedPostgres,
  portFree,
  PortInUseError,
  type DetachedPostgres,
} from './detached.js';
