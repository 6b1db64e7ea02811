/*
 * Accessible names and test ids, for end-to-end tests (Playwright, by role and name). Names in
 * <angle brackets> are filled in: a machine's or a job's name.
 *
 * Regions (role "region"): "Nearby", "My team", "Render", "Jobs", <job name> (the open job's
 *   progress), "Capacity", "This machine".
 * Header: text data-testid="team-capacity" ("5 machines · 28 cores · 61 % busy", prefixed by the
 *   team's name), button "Switch to light theme" / "Switch to dark theme".
 * Banners: role "alert" data-testid="agent-unreachable" ("Agent not reachable…") while the event
 *   stream is down; role "status" "Connecting to the agent…" before the first read.
 * Nearby: list "Nearby machines"; each card is a listitem named <name>, data-testid="nearby-card",
 *   data-device-id; buttons "Add <name> to team" (click/Enter starts pairing) and
 *   "Drag <name> onto My team" (the drag handle; Space picks up, arrows move, Space drops).
 *   Empty: "No machines nearby. Start Troupe on another computer on this network, or add one by address."
 * Add by address: form "Add by address", textbox "Add a machine by address", button
 *   "Add by address"; error in role "alert".
 * My team: drop zone data-testid="team-drop-zone"; list "Team members"; each member a listitem
 *   named <name>, data-testid="team-member", data-device-id; meter "<name> load"; text
 *   "online"/"offline"; button "Remove <name>" -> dialog "Remove <name> from the team?" with
 *   buttons "Remove" and "Keep <name>".
 * Pairing (started here): region "Pairing with <name>" data-testid="pairing-panel"; the code
 *   data-testid="pairing-code" (shown "123 456"); buttons "Codes match — confirm", "Cancel pairing",
 *   "Dismiss" (after the end); outcome text in role "status" (paired) or "alert" (rejected, failed, expired).
 * Pairing request (on the machine being added): alertdialog "Pairing request from <name>"
 *   data-testid="pair-request-dialog", code data-testid="request-code", timer "Expires in N s",
 *   buttons "Approve" and "Reject" (Esc rejects).
 * Render: file input labelled "Choose scene file" (setInputFiles), or drop files on the window;
 *   error data-testid="scene-error" (role "alert"); form "Render <scene name>" with button
 *   "Render on team", group "Options" (summary) with fields "Job name", "First frame", "Last frame",
 *   "Width (px)", "Height (px)", "Samples per pixel", "Format", "Priority", "Output folder";
 *   button "Choose another scene".
 * Jobs: list "Jobs"; each job a listitem named <job name> with data-job-id; a toggle button (its
 *   text starts with the job name) opens it; buttons "Pause <job>", "Resume <job>", "Cancel <job>";
 *   spinbutton "Priority of <job>"; progressbar "<job> progress".
 * Job progress: canvas data-testid="bucket-canvas" (role "img") with outlines
 *   span.bucket-outline[data-worker][data-task-id][data-state=done|running]; animations:
 *   list data-testid="frame-grid" of li[data-frame][data-state][data-worker]; list "Machines"
 *   (legend, li[data-worker]); table "Work per machine"; group "Errors"; text data-testid="job-elapsed"
 *   and data-testid="job-eta"; button "Open output folder"; when it could not open:
 *   code data-testid="output-path" and button "Copy path".
 * Capacity: figure "Utilisation, last 10 minutes" with svg data-testid="utilisation-chart"
 *   (path[data-worker]), list "Machines in the chart".
 * This machine: group "Sharing" with toggle buttons "Share this machine", "Pause sharing",
 *   "Share only when idle" (aria-pressed); spinbutton "Cores for the team", button "Apply core cap";
 *   data-testid="user-idle".
 * Notices: list "Notices", buttons "Dismiss notice".
 */

import { useEffect } from 'react';
import { UtilisationChart } from './capacity/utilisation-chart.js';
import { ThisMachinePanel } from './capacity/this-machine-panel.js';
import { AppHeader } from './chrome/app-header.js';
import { ConnectionBanner } from './chrome/connection-banner.js';
import { NoticeList } from './chrome/notice-list.js';
import { JobDetail } from './render/job-detail.js';
import { JobsList } from './render/jobs-list.js';
import { SceneIntake } from './render/scene-intake.js';
import type { TilePainterFactory } from './render/tile-painter.js';
import { useTroupe } from './store/index.js';
import { PairRequestDialog } from './team/pair-request-dialog.js';
import { TeamBoard } from './team/team-board.js';

export function App({ createPainter }: { createPainter?: TilePainterFactory } = {}) {
  const theme = useTroupe((s) => s.theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  return (
    <div className="app">
      <AppHeader />
      <ConnectionBanner />
      <NoticeList />
      <main className="columns">
        <div className="column team-column">
          <TeamBoard />
        </div>
        <div className="column render-column">
          <SceneIntake />
          <JobDetail createPainter={createPainter} />
          <JobsList />
        </div>
        <div className="column capacity-column">
          <section className="panel" role="region" aria-labelledby="capacity-heading">
            <h2 id="capacity-heading">Capacity</h2>
            <UtilisationChart />
          </section>
          <ThisMachinePanel />
        </div>
      </main>
      <PairRequestDialog />
    </div>
  );
}
