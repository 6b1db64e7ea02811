import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentArgs, parseAppOptions } from '../../../../electron/main/app-options.js';
import { appPaths } from '../../../../electron/main/app-paths.js';
import { PRESENCE_INTERVAL_MS, PresenceReporter } from '../../../../electron/main/presence-reporter.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('presence', () => {
  it('sends the idle seconds at once and every 30 s, until stopped; a failed send is not fatal', async () => {
    vi.useFakeTimers();
    let idle = 12.7;
    const sent: number[] = [];
    const reporter = new PresenceReporter({
      idleSeconds: () => idle,
      send: async (s) => {
        sent.push(s);
        if (sent.length === 2) throw new Error('agent away');
      },
    });
    reporter.start();
    expect(sent).toEqual([12]);
    idle = 42;
    await vi.advanceTimersByTimeAsync(PRESENCE_INTERVAL_MS);
    idle = 72;
    await vi.advanceTimersByTimeAsync(PRESENCE_INTERVAL_MS);
    expect(sent).toEqual([12, 42, 72]);
    reporter.stop();
    await vi.advanceTimersByTimeAsync(PRESENCE_INTERVAL_MS * 3);
    expect(sent).toHaveLength(3);
    expect(PRESENCE_INTERVAL_MS).toBe(30_000);
  });
});

describe('app options', () => {
  it('reads the data directory, interface and hidden start; leaves Chromium switches alone', () => {
    const o = parseAppOptions(['/opt/Troupe/troupe', '--no-sandbox', '--data-dir', '/tmp/a', '--interface=10.0.0.2', '--port', '0', '--hidden'], {}, 'linux');
    expect(o).toEqual({ dataDir: '/tmp/a', interfaceAddress: '10.0.0.2', peerPort: '0', hidden: true });
    expect(agentArgs(o)).toEqual(['agent', '--data-dir', '/tmp/a', '--interface', '10.0.0.2', '--port', '0']);
    expect(agentArgs({ ...o, peerPort: '1; rm' })).not.toContain('--port');
  });

  it('defaults to the CLI\'s data directory, so both reach the same agent', () => {
    expect(parseAppOptions(['electron', '.'], { TROUPE_HOME: '/srv/troupe' }, 'linux').dataDir).toBe('/srv/troupe');
    expect(parseAppOptions(['electron', '.'], { XDG_CONFIG_HOME: '/home/u/.config' }, 'linux')).toEqual({
      dataDir: '/home/u/.config/troupe',
      interfaceAddress: undefined,
      peerPort: undefined,
      hidden: false,
    });
    expect(agentArgs(parseAppOptions(['x', '--data-dir'], { TROUPE_HOME: '/d' }, 'linux'))).toEqual(['agent', '--data-dir', '/d']);
  });

  it('finds the renderer, preload and CLI beside the compiled main process', () => {
    expect(appPaths('/app/dist/electron/main')).toEqual({
      rendererRoot: '/app/dist/renderer',
      preload: '/app/dist/electron/preload/preload.cjs',
      cliEntry: '/app/dist/electron/cli/main.js',
    });
  });
});
