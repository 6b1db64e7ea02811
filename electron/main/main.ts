// The desktop shell's entry (package.json "main"): wires the features below, each in its own
// module, and owns the app's lifecycle: one instance per user, the agent started (or found)
// before anything needs it, the window only on demand, the tray always, and on Quit the agent we
// started stopped before the app exits.

import { app, powerMonitor, session } from 'electron';
import { schemaChecks } from '../../shared/control-api/answer-checks.js';
import { ControlApiClient } from '../../shared/control-api/control-client.js';
import { teamCapacity } from '../../shared/model/team-capacity.js';
import { probeAgent } from './agent-endpoint.js';
import { AgentEventHub } from './agent-event-hub.js';
import { launchAgentProcess } from './agent-process.js';
import { AgentSupervisor } from './agent-supervisor.js';
import { bytesTransport, eventsTransport, jsonTransport } from './agent-transports.js';
import { agentArgs, parseAppOptions } from './app-options.js';
import { appPaths } from './app-paths.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { CapacityTray } from './capacity-tray.js';
import { DesktopNoticePlanner } from './desktop-notice-planner.js';
import { DesktopNotifications } from './desktop-notifications.js';
import { sendToWindow, serveBridge } from './ipc-bridge.js';
import { LoginItem } from './login-item.js';
import { MainWindow } from './main-window.js';
import { PresenceReporter } from './presence-reporter.js';
import { capacityFromEvent } from './tray-capacity.js';
import { SharingToggles, type TrayCommand } from './tray-menu-model.js';
import { denyPermissions, guardWebContents } from './web-contents-guard.js';

const log = (line: string): void => console.error(`[troupe] ${line}`);
const options = parseAppOptions(process.argv);
const paths = appPaths(import.meta.dirname);

// Both must happen before the app is ready: privileges of app://, and the guard on every page.
registerAppScheme();
guardWebContents(app, log);

if (!app.requestSingleInstanceLock()) {
  // Another Troupe is running for this user: it shows its window (second-instance) and we leave.
  app.quit();
} else {
  app.setAppUserModelId('org.troupe.desktop'); // Windows ties notifications to this id (electron-builder's appId)
  void app.whenReady().then(startShell);
}

function startShell(): void {
  denyPermissions(session.defaultSession);
  serveRenderer(session.defaultSession, paths.rendererRoot);

  // The agent: found or started, restarted if it dies.
  const supervisor = new AgentSupervisor({
    probe: () => probeAgent(options.dataDir),
    launch: () => launchAgentProcess(paths.cliEntry, agentArgs(options)),
    onState: (state) => log(`agent: ${state.kind}`),
    log,
  });
  const endpoint = () => supervisor.endpoint;
  const client = new ControlApiClient(jsonTransport(endpoint), { checks: schemaChecks });
  const events = new AgentEventHub(eventsTransport(endpoint));

  // The window and its bridge.
  const window = new MainWindow(paths.preload);
  serveBridge({ json: jsonTransport(endpoint), bytes: bytesTransport(endpoint), eventStreamState: () => events.state, log });
  events.onText((text) => sendToWindow(window.current?.webContents ?? null, { event: text }));
  events.onState((state) => sendToWindow(window.current?.webContents ?? null, { state }));

  // The tray: capacity meter and menu.
  const loginItem = new LoginItem(app, process.platform);
  const toggles = new SharingToggles();
  const tray = new CapacityTray((command) => void runTrayCommand(command), process.platform, loginItem.enabled);
  const refreshTray = async (): Promise<void> => {
    try {
      const [status, team] = await Promise.all([client.call('status'), client.call('team')]);
      toggles.observe(status.sharing);
      tray.showSharing(status.sharing);
      tray.showCapacity(teamCapacity(team));
    } catch {
      /* the stream's state says the agent is away */
    }
  };
  events.onEvent((event) => {
    const capacity = capacityFromEvent(event);
    if (capacity) tray.showCapacity(capacity);
    if (event.type === 'statusChanged') {
      toggles.observe(event.status.sharing);
      tray.showSharing(event.status.sharing);
    }
  });

  // Notifications: pairing requests, finished and failed jobs.
  const planner = new DesktopNoticePlanner();
  const notifications = new DesktopNotifications(() => window.show());
  events.onEvent((event) => {
    const notice = planner.noticeFor(event);
    if (notice) notifications.show(notice);
  });

  // Presence for "only when idle".
  const presence = new PresenceReporter({
    idleSeconds: () => powerMonitor.getSystemIdleTime(),
    send: (idleSeconds) => client.call('setPresence', { idleSeconds }),
  });

  // Each time the stream (re)opens, an agent (new, restarted, or back) may know nothing of us and we may have missed events.
  let wasOpen = false;
  events.onState((state) => {
    if (state === 'open') {
      wasOpen = true;
      presence.report();
      void refreshTray();
    } else if (state === 'closed' && wasOpen) {
      // Before the first answer the tray keeps saying the agent is starting.
      wasOpen = false;
      tray.showAgentAway('The Troupe agent is not answering; restarting it…');
    }
  });

  async function runTrayCommand(command: TrayCommand): Promise<void> {
    try {
      switch (command) {
        case 'open':
          return window.show();
        case 'quit':
          return app.quit();
        case 'toggle-open-at-login':
          loginItem.set(!loginItem.enabled);
          return tray.showOpenAtLogin(loginItem.enabled);
        case 'toggle-pause': {
          const { sharing } = await client.call('status');
          tray.showSharing((await client.call('setSharing', toggles.togglePause(sharing))).sharing);
          return;
        }
        case 'toggle-idle-only': {
          const { sharing } = await client.call('status');
          tray.showSharing((await client.call('setSharing', toggles.toggleIdleOnly(sharing))).sharing);
          return;
        }
      }
    } catch (err) {
      log(`tray ${command}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // Lifecycle.
  app.on('second-instance', () => window.show());
  app.on('activate', () => window.show()); // macOS: the Dock icon
  // Closing the window leaves the app in the tray, the agent sharing; only Quit ends it.
  app.on('window-all-closed', () => undefined);
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    presence.stop();
    events.stop();
    void supervisor.stop().finally(() => {
      stopped = true;
      tray.destroy();
      app.quit();
    });
  });

  supervisor.start();
  events.start();
  presence.start();
  if (!options.hidden && !loginItem.startedAtLogin) window.show();
}
