// Owns how the UI reaches this machine's agent: through the Electron preload's bridge when it is
// there, else by fetch and a WebSocket on the page's own origin (the login cookie). What the agent
// answers is the typed client's business (shared/control-api).

export { connectToAgent, type AgentConnection, type TroupeClient } from './agent-connection.js';
export { fetchJsonTransport, fetchBytesTransport } from './fetch-transports.js';
export { reconnectingEvents, type ReconnectOptions } from './reconnecting-events.js';
