export { LiveServer, type LiveServerOptions, type ControlHandler, type ControlClient } from './server.js';
export { Metrics, Counter, Gauge, LabelledGauge, Histogram, LATENCY_BUCKETS_SECONDS, PROMETHEUS_CONTENT_TYPE, type Labels } from './metrics.js';
export {
  FRAME_TO_WS,
  encodeFrameMessage,
  decodeFrameMessage,
  stageLatencies,
  parseControlMessage,
  type FrameHeader,
  type DecodedFrameMessage,
  type ControlMessage,
  type StatusMessage,
  type AckMessage,
  type ErrorMessage,
  type ServerMessage,
} from './protocol.js';
export { DEFAULT_CHANNEL_LIMITS, type ChannelLimits } from './client-channel.js';
export type { HealthReport } from './routes.js';
export * from '../../core/contracts/live-status.js';
