/**
 * No container engine or cluster runs here: this checks what can be checked of
 * deploy/. Files parse and agree with each other (ports, names, paths, mounts);
 * every setting they give the services is a key the services read and a value
 * they accept; promtool and systemd-analyze accept the Prometheus config and the
 * units; probes and health checks hit routes that answer 200; the dashboard and
 * alerts query only metrics the services expose.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createApp as createCaptureApp } from '../../services/capture/app.js';
import { CAPTURE_CONFIG_KEYS, loadCaptureConfig } from '../../services/capture/config.js';
import { ConfigError } from '../../services/common/config-source.js';
import { createLogger } from '../../services/common/logger.js';
import { INGEST_CONFIG_KEYS, ingestConfig, loadIngestConfig } from '../../services/ingest/config.js';
import { startIngest, type IngestServer } from '../../services/ingest/server.js';
import {
  captureMetricsText,
  DEPLOY,
  freePort,
  interpolate,
  PROMTOOL,
  readYaml,
  readYamlDocs,
  REPO,
} from './helpers.js';
import { exposedMetricNames, promqlMetricNames } from './promql.js';

const TOKENS = { INGEST_TOKEN: 'publisher-token-0123', VIEWER_TOKEN: 'viewer-token-0123' };
const INGEST_KEYS: readonly string[] = INGEST_CONFIG_KEYS;
const CAPTURE_KEYS: readonly string[] = CAPTURE_CONFIG_KEYS;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

let ingest: IngestServer;
let ingestMetrics: Set<string>;
let captureMetrics: Set<string>;

beforeAll(async () => {
  // Process metrics on, as main.ts runs it: the dashboard charts memory and CPU.
  ingest = await startIngest(ingestConfig({ PORT: 0, HOST: '127.0.0.1' }), {
    log: createLogger({ level: 'silent' }),
  });
  ingestMetrics = exposedMetricNames(await (await fetch(`${ingest.url}/metrics`)).text());
  captureMetrics = exposedMetricNames(await captureMetricsText());
});

afterAll(async () => {
  await ingest?.close();
});

/** The capture app with stand-in parts: enough to ask it for a route. */
function captureApp() {
  return createCaptureApp({
    registry: new Registry(),
    log: createLogger({ level: 'silent' }),
    ffmpeg: { path: '/usr/bin/ffmpeg', source: 'PATH', version: 'test' },
    cameras: () => [],
  });
}

/** Status of GET `path` on the service: a live ingest, or capture's app. */
async function probe(service: 'ingest' | 'capture', path: string): Promise<number> {
  if (service === 'ingest') return (await fetch(`${ingest.url}${path}`)).status;
  return (await captureApp().request(path)).status;
}

/** Runs deploy/healthcheck.mjs as the container would; its exit code. Not spawnSync: ingest runs in this process. */
async function healthcheck(args: string[], env: Record<string, string> = {}): Promise<number | null> {
  const child = spawn(process.execPath, [join(DEPLOY, 'healthcheck.mjs'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: 'ignore',
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('Dockerfile', () => {
  const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
  // Instructions with their continuation lines joined.
  const lines = text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const stages = lines.filter((l) => l.startsWith('FROM '));
  const runtime = lines.slice(lines.findIndex((l) => l.startsWith('FROM ') && l.includes(' AS runtime')));

  it('builds in one stage and runs in another, both from node:20-bookworm-slim', () => {
    expect(lines).toContain('ARG NODE_IMAGE=node:20-bookworm-slim');
    expect(stages).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS runtime']);
    const build = lines.slice(0, lines.indexOf('FROM ${NODE_IMAGE} AS runtime')).join('\n');
    expect(build).toMatch(/RUN npm ci\b/);
    expect(build).toMatch(/npm run build:web/);
    expect(build).toMatch(/npm prune --omit=dev/);
  });

  it('installs FFmpeg and setpriv from Debian, runs as node with a health check, serving the network', () => {
    const r = runtime.join('\n');
    expect(r).toMatch(/apt-get install -y --no-install-recommends ffmpeg util-linux/);
    expect(r).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
    expect(runtime).toContain('USER node');
    expect(r).toMatch(/HEALTHCHECK .*CMD \["node", "deploy\/healthcheck\.mjs"\]/);
    expect(r).toMatch(/HOST=0\.0\.0\.0/);
    expect(r).toMatch(/CAPTURE_HOST=0\.0\.0\.0/);
    expect(runtime.at(-1)).toBe('CMD ["node", "--import", "tsx", "services/ingest/main.ts"]');
  });

  it('copies only what exists in the repository, and what the runtime needs', () => {
    for (const l of lines.filter((x) => x.startsWith('COPY ') && !x.includes('--from='))) {
      const sources = l.split(/\s+/).slice(1, -1);
      for (const s of sources) expect(existsSync(join(REPO, s)), s).toBe(true);
    }
    const fromBuild = runtime.filter((l) => l.startsWith('COPY --from=build')).map((l) => l.split(/\s+/)[2]);
    expect(fromBuild).toEqual([
      '/app/package.json',
      '/app/node_modules',
      '/app/shared',
      '/app/services',
      '/app/web/dist',
      '/app/deploy/healthcheck.mjs',
    ]);
    for (const main of ['services/ingest/main.ts', 'services/capture/main.ts']) {
      expect(existsSync(join(REPO, main)), main).toBe(true);
    }
  });

  it('keeps tests, git and local modules out of the build context, but not what the build reads', () => {
    const ignore = readFileSync(join(DEPLOY, 'Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(ignore).toEqual(expect.arrayContaining(['.git', '**/node_modules', '**/*.test.ts', '.env']));
    for (const needed of ['package.json', 'package-lock.json', 'services', 'shared', 'web', 'web/build.ts']) {
      expect(ignore, needed).not.toContain(needed);
    }
    expect(ignore.indexOf('!deploy/healthcheck.mjs')).toBeGreaterThan(ignore.indexOf('deploy'));
  });
});

describe('deploy/healthcheck.mjs', () => {
  it('exits 0 when the service answers /healthz, 1 when nothing does', async () => {
    const closed = String(await freePort());
    expect(await healthcheck([String(ingest.port)])).toBe(0);
    expect(await healthcheck([closed])).toBe(1);
    // No argument: PORT (ingest), then CAPTURE_PORT (capture), as one image runs either.
    expect(await healthcheck([], { PORT: String(ingest.port), CAPTURE_PORT: closed })).toBe(0);
    expect(await healthcheck([], { PORT: closed, CAPTURE_PORT: String(ingest.port) })).toBe(0);
    expect(await healthcheck([], { PORT: closed, CAPTURE_PORT: closed })).toBe(1);
  });
});

describe('compose.yaml', () => {
  const compose = readYaml('compose.yaml');
  const services = obj(compose.services);
  const env = (name: string): Record<string, string> => {
    const raw = obj(obj(services[name]).environment);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), TOKENS)]));
  };
  /** Bind mounts of a service: container path -> host path (resolved from deploy/). */
  const mounts = (name: string): Map<string, string> =>
    new Map(
      arr(obj(services[name]).volumes)
        .map((v) => String(v).split(':'))
        .filter(([host]) => host?.startsWith('./'))
        .map(([host, target]) => [target as string, join(DEPLOY, host as string)]),
    );

  it('runs ingest, capture, Prometheus and Grafana, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['capture', 'grafana', 'ingest', 'prometheus']);
    for (const [name, s] of Object.entries(services)) {
      const test = arr(obj(obj(s).healthcheck).test);
      expect(test[0], name).toBe('CMD');
      expect(test.length, name).toBeGreaterThan(1);
    }
  });

  it('builds ingest and capture from deploy/Dockerfile and runs each service', () => {
    for (const [name, main] of [
      ['ingest', 'services/ingest/main.ts'],
      ['capture', 'services/capture/main.ts'],
    ] as const) {
      const s = obj(services[name]);
      expect(s.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
      expect(existsSync(join(DEPLOY, '..', 'deploy/Dockerfile'))).toBe(true);
      expect(s.command).toEqual(['node', '--import', 'tsx', main]);
      expect(s).toMatchObject({ read_only: true, cap_drop: ['ALL'], init: true });
      expect(obj(obj(obj(s.deploy).resources).limits)).toMatchObject({ cpus: '2', memory: '1G' });
    }
  });

  it('gives ingest only keys it reads, values it accepts, tokens it requires, and a health check on its port', () => {
    const e = env('ingest');
    for (const k of Object.keys(e)) expect(INGEST_KEYS, k).toContain(k);
    const config = loadIngestConfig(e);
    expect(config).toMatchObject({ host: '0.0.0.0', port: 3000, ...{ ingestToken: TOKENS.INGEST_TOKEN } });
    expect(config.viewerToken).toBe(TOKENS.VIEWER_TOKEN);
    expect(() => interpolate(String(obj(obj(services.ingest).environment).INGEST_TOKEN), {})).toThrow(/INGEST_TOKEN/);
    expect(arr(obj(obj(services.ingest).healthcheck).test).at(-1)).toBe(String(config.port));
    expect(arr(obj(services.ingest).ports).map((p) => interpolate(String(p), {}))).toEqual(['127.0.0.1:3000:3000']);
    const grace = Number(String(obj(services.ingest).stop_grace_period).replace(/s$/, '')) * 1000;
    expect(grace).toBeGreaterThanOrEqual(config.shutdownTimeoutMs + 2000);
  });

  it('gives capture the cameras file it mounts, ingest by its service name, and a health check on its port', () => {
    const e = env('capture');
    for (const k of Object.keys(e)) expect(CAPTURE_KEYS, k).toContain(k);
    const camerasFile = mounts('capture').get(e.CAMERAS_FILE ?? '');
    expect(camerasFile, 'CAMERAS_FILE is a bind mount').toBe(join(DEPLOY, 'cameras.yaml'));
    expect(existsSync(camerasFile ?? '')).toBe(true);
    const config = loadCaptureConfig({ ...e, CAMERAS_FILE: camerasFile });
    expect(config.cameras.map((c) => c.id)).toEqual(['test-720p', 'test-360p']);
    expect(config).toMatchObject({ host: '0.0.0.0', port: 3001, ingestUrl: 'http://ingest:3000' });
    expect(config.ingestToken).toBe(TOKENS.INGEST_TOKEN);
    expect(new URL(config.ingestUrl).hostname).toBe('ingest');
    expect(arr(obj(obj(services.capture).healthcheck).test).at(-1)).toBe(String(config.port));
    expect(obj(obj(obj(services.capture).depends_on).ingest).condition).toBe('service_healthy');
  });

  it('mounts the Prometheus config with its rules, and Grafana provisioning where its provider looks', () => {
    const prom = mounts('prometheus');
    expect(prom.get('/etc/prometheus/prometheus.yml')).toBe(join(DEPLOY, 'prometheus/prometheus.yml'));
    for (const rules of arr(readYaml('prometheus/prometheus.yml').rule_files)) {
      expect(prom.get(`/etc/prometheus/${String(rules)}`), String(rules)).toBe(
        join(DEPLOY, 'prometheus', String(rules)),
      );
    }
    const grafana = mounts('grafana');
    expect(grafana.get('/etc/grafana/provisioning')).toBe(join(DEPLOY, 'grafana/provisioning'));
    const provider = obj(arr(readYaml('grafana/provisioning/dashboards/camstream.yaml').providers)[0]);
    const dashboards = grafana.get(String(obj(provider.options).path));
    expect(dashboards, 'dashboards mount').toBe(join(DEPLOY, 'grafana/dashboards'));
    const home = String(obj(obj(services.grafana).environment).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    expect(existsSync(join(dashboards ?? '', home.split('/').at(-1) ?? ''))).toBe(true);
    for (const s of ['prometheus', 'grafana']) {
      for (const host of mounts(s).values()) expect(existsSync(host), host).toBe(true);
    }
  });

  it('keeps .env out of git, and its example lists every variable compose needs', () => {
    expect(readFileSync(join(DEPLOY, '.gitignore'), 'utf8').split('\n')).toContain('.env');
    const example = readFileSync(join(DEPLOY, '.env.example'), 'utf8');
    const used = new Set(
      [...readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8').matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]),
    );
    for (const v of used) expect(example, String(v)).toMatch(new RegExp(`^${v}=`, 'm'));
  });
});

describe('Prometheus config', () => {
  const config = readYaml('prometheus/prometheus.yml');
  const jobs = new Map(arr(config.scrape_configs).map((j) => [String(obj(j).job_name), obj(j)]));

  it('passes promtool check config (rules included)', () => {
    const r = spawnSync(PROMTOOL, ['check', 'config', join(DEPLOY, 'prometheus/prometheus.yml')], { encoding: 'utf8' });
    expect(r.error, `${PROMTOOL}: apt-get install prometheus (.ci/setup-system)`).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });

  it('scrapes /metrics of ingest and capture at their compose names and ports', () => {
    const services = obj(readYaml('compose.yaml').services);
    const port = (s: string, key: string) => String(obj(obj(services[s]).environment)[key]);
    for (const [job, key] of [
      ['ingest', 'PORT'],
      ['capture', 'CAPTURE_PORT'],
    ] as const) {
      const j = jobs.get(job);
      expect(j, job).toBeDefined();
      expect(j?.metrics_path ?? '/metrics').toBe('/metrics');
      expect(arr(obj(arr(j?.static_configs)[0]).targets)).toEqual([`${job}:${port(job, key)}`]);
    }
  });
});

describe('Grafana', () => {
  const datasource = obj(arr(readYaml('grafana/provisioning/datasources/prometheus.yaml').datasources)[0]);
  const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/dashboards/camstream.json'), 'utf8')) as {
    uid: string;
    panels: Array<{
      type: string;
      title: string;
      datasource?: Obj;
      targets?: Array<{ expr: string; datasource?: Obj }>;
    }>;
    templating: { list: Array<{ name: string; query: { query: string }; datasource: Obj }> };
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

  it('provisions the compose Prometheus as the datasource the dashboard uses', () => {
    expect(datasource).toMatchObject({ type: 'prometheus', access: 'proxy', url: 'http://prometheus:9090' });
    expect(Object.keys(obj(readYaml('compose.yaml').services))).toContain(new URL(String(datasource.url)).hostname);
    const uids = new Set<unknown>();
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      uids.add(p.datasource?.uid);
      for (const t of p.targets ?? []) uids.add(t.datasource?.uid);
    }
    for (const v of dashboard.templating.list) uids.add(v.datasource.uid);
    expect([...uids]).toEqual([datasource.uid]);
  });

  it('charts per stream state, fps, bitrate, viewers, drops, ingest -> send latency; per camera restarts and frame age', () => {
    const used = new Set(exprs.flatMap((e) => promqlMetricNames(e.expr)));
    for (const m of [
      'ingest_stream_state',
      'ingest_stream_fps',
      'ingest_stream_bitrate_bits',
      'fanout_viewers',
      'fanout_frames_dropped_total',
      'fanout_send_latency_seconds_bucket',
      'capture_restarts_total',
      'capture_last_frame_age_seconds',
    ]) {
      expect(used, m).toContain(m);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['stream', 'camera']);
  });

  it("queries only metrics the services expose (ingest's live /metrics, capture's metrics factory)", () => {
    const exposed = new Set([...ingestMetrics, ...captureMetrics, 'up']);
    const alerts = arr(readYaml('prometheus/alerts.yml').groups).flatMap((g) =>
      arr(obj(g).rules).map((r) => ({ panel: `alert ${String(obj(r).alert)}`, expr: String(obj(r).expr) })),
    );
    const variables = dashboard.templating.list.map((v) => ({
      panel: `variable ${v.name}`,
      expr: /label_values\((\w+),/.exec(v.query.query)?.[1] ?? v.query.query,
    }));
    const all = [...exprs, ...alerts, ...variables];
    expect(all.length).toBeGreaterThan(30);
    for (const { panel, expr } of all) {
      const names = promqlMetricNames(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exposed.has(name), `${panel}: ${name} is not exposed`).toBe(true);
    }
    // Both services are charted.
    const used = all.flatMap((e) => promqlMetricNames(e.expr));
    expect(used.some((n) => ingestMetrics.has(n) && !captureMetrics.has(n))).toBe(true);
    expect(used.some((n) => captureMetrics.has(n) && !ingestMetrics.has(n))).toBe(true);
  });
});

describe('Kubernetes manifests', () => {
  const files = readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  const docs: Obj[] = files.flatMap((f) => readYamlDocs(`k8s/${f}`).map((d): Obj => ({ file: f, ...d })));
  const of = (kind: string) => docs.filter((d) => d.kind === kind);
  const byName = (kind: string, name: string) => of(kind).find((d) => obj(d.metadata).name === name);
  const container = (name: string) =>
    obj(arr(obj(obj(obj(byName('Deployment', name)?.spec).template).spec).containers)[0]);
  const podSpec = (name: string) => obj(obj(obj(byName('Deployment', name)?.spec).template).spec);
  const secret = obj(of('Secret')[0]);
  const configMap = obj(of('ConfigMap')[0]);

  /** A container's env, secrets read from `secrets` (the Secret's keys must exist). */
  const envOf = (name: string, secrets: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const e of arr(container(name).env).map(obj)) {
      const ref = obj(obj(e.valueFrom).secretKeyRef);
      if (ref.name !== undefined) {
        expect(ref.name).toBe(obj(secret.metadata).name);
        expect(Object.keys(obj(secret.stringData)), String(ref.key)).toContain(ref.key);
        out[String(e.name)] = secrets[String(ref.key)] ?? '';
      } else {
        out[String(e.name)] = String(e.value ?? '');
      }
    }
    return out;
  };

  it('are Deployments, Services, a ConfigMap for cameras, a Secret for tokens, all in the kustomization', () => {
    expect(of('Deployment').map((d) => obj(d.metadata).name)).toEqual(['capture', 'ingest']);
    expect(of('Service').map((d) => obj(d.metadata).name)).toEqual(['capture', 'ingest']);
    expect(Object.keys(obj(configMap.data))).toEqual(['cameras.yaml']);
    expect(Object.keys(obj(secret.stringData)).sort()).toEqual(['INGEST_TOKEN', 'VIEWER_TOKEN']);
    expect(of('Namespace')).toHaveLength(1);
    const kustomization = readYaml('k8s/kustomization.yaml');
    expect(arr(kustomization.resources).map(String).sort()).toEqual([...files].sort());
    expect(kustomization.namespace).toBe(obj(of('Namespace')[0]?.metadata).name);
  });

  it('probe /healthz for liveness and /readyz (ingest) for readiness, on routes that answer 200', async () => {
    const expected = {
      ingest: { live: '/healthz', ready: '/readyz' },
      capture: { live: '/healthz', ready: '/healthz' },
    };
    for (const [name, paths] of Object.entries(expected) as Array<
      ['ingest' | 'capture', { live: string; ready: string }]
    >) {
      const c = container(name);
      const port = obj(arr(c.ports)[0]);
      const path = (p: string) => obj(obj(c[p]).httpGet);
      expect(path('livenessProbe')).toEqual({ path: paths.live, port: port.name });
      expect(path('readinessProbe')).toEqual({ path: paths.ready, port: port.name });
      expect(path('startupProbe').path).toBe('/healthz');
      for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        expect(await probe(name, String(path(p).path)), `${name} ${p}`).toBe(200);
      }
    }
  });

  it('set resource requests and limits, a non-root read-only container, and scrape annotations on the metrics port', () => {
    for (const name of ['ingest', 'capture']) {
      const c = container(name);
      const resources = obj(c.resources);
      for (const k of ['requests', 'limits'])
        expect(Object.keys(obj(resources[k])).sort(), `${name} ${k}`).toEqual(['cpu', 'memory']);
      expect(obj(c.securityContext)).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(obj(podSpec(name).securityContext)).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      const mounts = arr(c.volumeMounts).map((m) => String(obj(m).mountPath));
      expect(mounts, `${name}: tsx needs a writable /tmp`).toContain('/tmp');
      const annotations = obj(obj(obj(obj(byName('Deployment', name)?.spec).template).metadata).annotations);
      expect(annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(obj(arr(c.ports)[0]).containerPort),
        'prometheus.io/path': '/metrics',
      });
      expect(c.command).toEqual(['node', '--import', 'tsx', `services/${name}/main.ts`]);
    }
  });

  it('give each service only keys it reads and values it accepts; the placeholder tokens stop both', () => {
    const ingestEnv = envOf('ingest', TOKENS);
    for (const k of Object.keys(ingestEnv)) expect(INGEST_KEYS, k).toContain(k);
    const ic = loadIngestConfig(ingestEnv);
    expect(ic).toMatchObject({ host: '0.0.0.0', port: Number(obj(arr(container('ingest').ports)[0]).containerPort) });
    const grace = Number(podSpec('ingest').terminationGracePeriodSeconds) * 1000;
    expect(grace).toBeGreaterThanOrEqual(ic.shutdownTimeoutMs + 2000);

    const dir = mkdtempSync(join(tmpdir(), 'camstream-k8s-'));
    try {
      const captureEnv = envOf('capture', TOKENS);
      for (const k of Object.keys(captureEnv)) expect(CAPTURE_KEYS, k).toContain(k);
      // CAMERAS_FILE is the ConfigMap's key in the volume mounted from it.
      const volume = arr(podSpec('capture').volumes)
        .map(obj)
        .find((v) => obj(v.configMap).name !== undefined);
      expect(obj(volume?.configMap).name).toBe(obj(configMap.metadata).name);
      const mount = arr(container('capture').volumeMounts)
        .map(obj)
        .find((m) => m.name === volume?.name);
      expect(captureEnv.CAMERAS_FILE).toBe(`${String(mount?.mountPath)}/cameras.yaml`);
      const file = join(dir, 'cameras.yaml');
      writeFileSync(file, String(obj(configMap.data)['cameras.yaml']));
      const cc = loadCaptureConfig({ ...captureEnv, CAMERAS_FILE: file });
      expect(cc.cameras.length).toBeGreaterThan(0);
      expect(cc.port).toBe(Number(obj(arr(container('capture').ports)[0]).containerPort));
      // Capture reaches ingest through ingest's Service.
      const ingestUrl = new URL(cc.ingestUrl);
      const svc = obj(byName('Service', ingestUrl.hostname)?.spec);
      expect(arr(svc.ports).map((p) => String(obj(p).port))).toContain(ingestUrl.port);

      const placeholders = obj(secret.stringData) as Record<string, string>;
      expect(() => loadIngestConfig(envOf('ingest', placeholders))).toThrow(ConfigError);
      expect(() => loadCaptureConfig({ ...envOf('capture', placeholders), CAMERAS_FILE: file })).toThrow(
        /INGEST_TOKEN/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('route each Service to its pods and their named port', () => {
    for (const name of ['ingest', 'capture']) {
      const spec = obj(byName('Service', name)?.spec);
      const podLabels = obj(obj(obj(obj(byName('Deployment', name)?.spec).template).metadata).labels);
      expect(podLabels).toMatchObject(obj(spec.selector));
      const names = arr(container(name).ports).map((p) => obj(p).name);
      for (const p of arr(spec.ports)) expect(names).toContain(obj(p).targetPort);
      expect(obj(byName('Deployment', name)?.spec).replicas).toBe(1);
    }
  });
});

describe('systemd units', () => {
  const units = ['camstream-ingest.service', 'camstream-capture.service'];
  /** [Service] keys of a unit (last value wins, as systemd reads most of them). */
  const service = (unit: string): Record<string, string> => {
    const text = readFileSync(join(DEPLOY, 'systemd', unit), 'utf8');
    const body = text.slice(text.indexOf('[Service]'), text.indexOf('[Install]'));
    return Object.fromEntries(
      body
        .split('\n')
        .filter((l) => /^[A-Za-z]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  };
  /** An example env file as systemd reads it. */
  const envFile = (name: string): Record<string, string> =>
    Object.fromEntries(
      readFileSync(join(DEPLOY, 'systemd', name), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

  it('pass systemd-analyze verify without a warning', () => {
    for (const unit of units) {
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(DEPLOY, 'systemd', unit)], {
        encoding: 'utf8',
      });
      expect(r.error, 'systemd-analyze (Debian package systemd)').toBeUndefined();
      expect(`${r.stdout}${r.stderr}`.trim(), unit).toBe('');
      expect(r.status, unit).toBe(0);
    }
  });

  it('start the services from the repository checkout, as non-root, with room to stop', () => {
    for (const [unit, name, envName] of [
      ['camstream-ingest.service', 'ingest', 'ingest.env'],
      ['camstream-capture.service', 'capture', 'capture.env'],
    ] as const) {
      const s = service(unit);
      expect(s.ExecStart).toBe(`/usr/bin/env node --import tsx services/${name}/main.ts`);
      expect(existsSync(join(REPO, `services/${name}/main.ts`))).toBe(true);
      expect(s.WorkingDirectory).toBe('/opt/camstream');
      expect(s.User).toBe('camstream');
      expect(s.EnvironmentFile).toBe(`/etc/camstream/${envName}`);
      expect(s).toMatchObject({ NoNewPrivileges: 'yes', ProtectSystem: 'strict', PrivateTmp: 'yes' });
      expect(Number(s.TimeoutStopSec?.replace(/s$/, ''))).toBeGreaterThanOrEqual(7);
    }
    expect(Number(service(units[0] as string).LimitNOFILE)).toBeGreaterThan(4000 * 2);
  });

  it('ship env files with only keys the services read and values they accept, but the tokens', () => {
    const ingestEnv = envFile('ingest.env');
    for (const k of Object.keys(ingestEnv)) expect(INGEST_KEYS, k).toContain(k);
    expect(loadIngestConfig({ ...ingestEnv, ...TOKENS })).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(() => loadIngestConfig(ingestEnv)).toThrow(/INGEST_TOKEN: must be at least 8 characters/);
    const timeout = Number(service('camstream-ingest.service').TimeoutStopSec?.replace(/s$/, '')) * 1000;
    expect(timeout).toBeGreaterThanOrEqual(Number(ingestEnv.SHUTDOWN_TIMEOUT_MS) + 2000);

    const captureEnv = envFile('capture.env');
    for (const k of Object.keys(captureEnv)) expect(CAPTURE_KEYS, k).toContain(k);
    const withCameras = {
      ...captureEnv,
      INGEST_TOKEN: TOKENS.INGEST_TOKEN,
      CAMERAS_FILE: join(DEPLOY, 'cameras.yaml'),
    };
    expect(loadCaptureConfig(withCameras)).toMatchObject({ ingestUrl: `http://127.0.0.1:${ingestEnv.PORT}` });
    expect(() => loadCaptureConfig({ ...withCameras, INGEST_TOKEN: captureEnv.INGEST_TOKEN })).toThrow(/INGEST_TOKEN/);
  });
});

describe('deploy/README.md', () => {
  it('describes every file in deploy/', () => {
    const readme = readFileSync(join(DEPLOY, 'README.md'), 'utf8');
    const walk = (dir: string): string[] =>
      readdirSync(join(DEPLOY, dir)).flatMap((f) => {
        const rel = dir ? `${dir}/${f}` : f;
        return statSync(join(DEPLOY, rel)).isDirectory() ? walk(rel) : [rel];
      });
    const files = walk('').filter((f) => !f.startsWith('test/') && f !== 'README.md' && f !== '.env');
    for (const f of files) expect(readme, f).toContain(`\`${f}\``);
  });
});

describe('YAML under deploy/', () => {
  it('all parses', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? walk(p) : /\.ya?ml$/.test(f) ? [p] : [];
      });
    const files = walk(DEPLOY);
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) {
      for (const d of YAML.parseAllDocuments(readFileSync(f, 'utf8'))) expect(d.errors, f).toEqual([]);
    }
  });
});
