import { defaultHeartbeatJob, heartbeatPolicy, resolveHeartbeatJobs, type HeartbeatDefaults, type HeartbeatJobConfig } from '../config/heartbeats.ts';
import type { HeartbeatSettings } from './tracker.ts';

/** The tracker's settings from the `heartbeats:` and `defaults.heartbeats` sections (at start and on reload). */
export function heartbeatSettings(config: { heartbeats: readonly HeartbeatJobConfig[]; defaults: { heartbeats: HeartbeatDefaults } }): HeartbeatSettings {
  const d = config.defaults.heartbeats;
  return {
    jobs: resolveHeartbeatJobs(config.heartbeats, d),
    policy: heartbeatPolicy(d),
    autoJob: (service) => defaultHeartbeatJob(service, d),
  };
}
