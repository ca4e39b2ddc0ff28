export { decodeName } from './decode.js';
export {
  outcomeOf,
  OUTCOME_KINDS,
  STAMPED,
  TRUSTED_SEARCH_TYPE,
  type LmlAnswer,
  type LmlOutcome,
  type OutcomeKind,
} from './outcome.js';
export {
  lmlClient,
  requestOf,
  LmlUnauthorized,
  type LmlClient,
  type LmlClientOptions,
  type LmlItem,
  type LmlReply,
} from './client.js';
