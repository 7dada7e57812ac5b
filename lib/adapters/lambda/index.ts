/** Lambda-to-Lambda hand-offs: ingress queues replies and notices for the actions function. */
export {
  AsyncInvokeEffectDispatcher,
  type AsyncInvokeEffectDispatcherOptions,
  deliveryRequests,
  MAX_EVENT_PAYLOAD_BYTES,
} from './effect-dispatcher.js';
