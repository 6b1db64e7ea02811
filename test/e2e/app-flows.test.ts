// The app as people use it, end to end: real agents in network namespaces (real mDNS, real mutual
// TLS, the built-in renderer), each with its UI in a real Chromium on its own "screen", driven by
// pointer and by keyboard. Each step leaves a screenshot in test/artifacts/e2e/.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testbed, REPO_ROOT, type AgentProcess } from '../integration/harness/testbed.js';
import { browserOn, chromiumMissing, openApp, renderFromUi, snap, UI_HANG_MS } from './support/app-browser.js';

const missing = chromiumMissing();
const SCENE = join(REPO_ROOT, 'assets/sample-scene.glb');

/** The digits of a code as shown ("123 456" -> "123456"). */
const digits = async (l: Locator): Promise<string> => ((await l.textContent()) ?? '').replace(/\D/g, '');

/**
 * Leaves the render form if it is still open. Only then: a click on a button that is not there
 * waited the page's whole default timeout (15 s, then 60 s) before its error was ignored.
 */
async function chooseAnotherScene(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: 'Choose another scene' });
  if ((await button.count()) > 0) await button.click();
}

/** Drags with the pointer the way a person does: press, move in steps (dnd-kit needs movement), release. */
async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 20 });
  await page.mouse.up();
}

/** Every agent of the test, to name machines in a job's timeline. */
let bedAgents: AgentProcess[] = [];

describe.skipIf(missing)(`the app in Chromium, against agents on a LAN${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const bed = new Testbed();
  const scratch = mkdtempSync(join(os.tmpdir(), 'troupe-e2e-'));
  let alpha: AgentProcess, beta: AgentProcess, gamma: AgentProcess;
  let browsers: Browser[] = [];
  let pageA: Page, pageB: Page, pageG: Page;

  beforeAll(async () => {
    const [h1, h2, h3] = [bed.addHost(), bed.addHost(), bed.addHost()];
    alpha = bed.agent(h1!, 'alpha');
    beta = bed.agent(h2!, 'beta');
    gamma = bed.agent(h3!, 'gamma');
    bedAgents = [alpha, beta, gamma];
    await Promise.all([alpha, beta, gamma].map((a) => a.start(['--ui', '--output-dir', join(a.dataDir, 'renders')])));
    browsers = await Promise.all([h1!, h2!, h3!].map((h) => browserOn(h, scratch)));
    [pageA, pageB, pageG] = await Promise.all([openApp(browsers[0]!, alpha), openApp(browsers[1]!, beta), openApp(browsers[2]!, gamma)]);
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await bed.destroy();
  });

  it('drag a nearby machine onto the team: the same code on both screens, confirm and approve, and it is in the team', async () => {
    const nearby = pageA.getByRole('list', { name: 'Nearby machines' });
    await expect.poll(() => nearby.getByRole('listitem', { name: 'beta' }).count(), { timeout: UI_HANG_MS }).toBe(1);
    await snap(pageA, 'board-nearby');
    // First the owner of beta says no: the designer is told, and can try again.
    await pageA.getByRole('button', { name: 'Add beta to team' }).click();
    await pageB.getByRole('alertdialog', { name: 'Pairing request from alpha' }).waitFor();
    await pageB.getByRole('button', { name: 'Reject' }).click();
    const refused = pageA.getByTestId('pairing-panel').getByRole('alert');
    await expect.poll(() => refused.textContent(), { timeout: UI_HANG_MS }).toMatch(/declin|reject/i);
    await snap(pageA, 'pairing-declined');
    await pageA.getByRole('button', { name: 'Dismiss' }).click();
    await drag(pageA, pageA.getByRole('button', { name: 'Drag beta onto My team' }), pageA.getByTestId('team-drop-zone'));
    const shown = pageA.getByTestId('pairing-code');
    await shown.waitFor();
    const request = pageB.getByRole('alertdialog', { name: 'Pairing request from alpha' });
    await request.waitFor();
    expect(await digits(shown)).toMatch(/^\d{6}$/);
    expect(await digits(pageB.getByTestId('request-code'))).toBe(await digits(shown));
    await snap(pageA, 'pairing-code-on-alpha');
    await snap(pageB, 'pairing-request-on-beta');
    await pageA.getByRole('button', { name: 'Codes match — confirm' }).click();
    await pageB.getByRole('button', { name: 'Approve' }).click();
    const membersA = pageA.getByRole('list', { name: 'Team members' });
    await membersA.getByRole('listitem', { name: 'beta' }).waitFor({ timeout: UI_HANG_MS });
    await pageB.getByRole('list', { name: 'Team members' }).getByRole('listitem', { name: 'alpha' }).waitFor({ timeout: UI_HANG_MS });
    await expect.poll(() => membersA.getByRole('listitem', { name: 'beta' }).getByText('online', { exact: true }).count(), { timeout: UI_HANG_MS }).toBe(1);
    await snap(pageA, 'team-with-beta');
  });

  it('with the keyboard alone: add a machine, compare codes, confirm, approve, and render', async () => {
    const add = pageA.getByRole('button', { name: 'Add gamma to team' });
    await add.waitFor({ timeout: UI_HANG_MS });
    await add.focus();
    await pageA.keyboard.press('Enter');
    const shown = pageA.getByTestId('pairing-code');
    await shown.waitFor();
    await pageG.getByRole('alertdialog', { name: 'Pairing request from alpha' }).waitFor();
    expect(await digits(pageG.getByTestId('request-code'))).toBe(await digits(shown));
    await pageA.getByRole('button', { name: 'Codes match — confirm' }).focus();
    await pageA.keyboard.press('Enter');
    // The approval prompt takes focus; Tab reaches Approve without the mouse.
    await pageG.getByRole('button', { name: 'Approve' }).focus();
    await pageG.keyboard.press('Enter');
    await pageA.getByRole('list', { name: 'Team members' }).getByRole('listitem', { name: 'gamma' }).waitFor({ timeout: UI_HANG_MS });
    await snap(pageA, 'team-of-three-by-keyboard');

    // Render with the keyboard: the file comes from the chooser (a dialog of the OS, outside the
    // page); every field and the button are reached with Tab and typed into.
    await pageA.getByLabel('Choose scene file').setInputFiles(SCENE);
    const form = pageA.getByRole('form', { name: /^Render / });
    await form.waitFor();
    await form.getByText('Options').focus();
    await pageA.keyboard.press('Enter'); // opens the options
    const type = async (label: string, text: string) => {
      await form.getByLabel(label).focus();
      await pageA.keyboard.press('ControlOrMeta+A');
      await pageA.keyboard.type(text);
    };
    await type('Job name', 'keyboard-still');
    await type('Last frame', '1');
    await type('Width (px)', '160');
    await type('Height (px)', '90');
    await type('Samples per pixel', '4');
    await form.getByRole('button', { name: 'Render on team' }).focus();
    await pageA.keyboard.press('Enter');
    const job = await waitForJob(alpha, 'keyboard-still');
    expect(job.state).toBe('done');
    await chooseAnotherScene(pageA);
  });

  it('a declined pairing and an unreachable address are said in words, and nothing hangs', async () => {
    // Not on the team yet: a fourth machine is not needed; the address form takes one nobody answers at.
    const form = pageA.getByRole('form', { name: 'Add by address' });
    await form.getByRole('textbox', { name: 'Add a machine by address' }).fill('10.255.255.1:47800');
    await form.getByRole('button', { name: 'Add by address' }).click();
    await expect.poll(() => form.getByRole('alert').textContent(), { timeout: UI_HANG_MS }).toMatch(/\S/);
    await snap(pageA, 'unreachable-address');
  });

  it('a file that is not a scene is refused in words', async () => {
    await pageA.getByLabel('Choose scene file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a scene') });
    await expect.poll(() => pageA.getByTestId('scene-error').textContent(), { timeout: UI_HANG_MS }).toMatch(/notes\.txt/);
    await snap(pageA, 'not-a-scene');
  });

  it('drop a scene, press "Render on team": buckets from both machines arrive, and the image is in the output folder', async () => {
    // The sample is animated: one frame of it is a still.
    await renderFromUi(pageA, SCENE, { name: 'still-e2e', firstFrame: 1, lastFrame: 1, width: 320, height: 180, samples: 16 });
    const canvas = pageA.getByTestId('bucket-canvas');
    await canvas.waitFor();
    await expect.poll(() => pageA.locator('.bucket-outline[data-state="done"]').count(), { timeout: UI_HANG_MS }).toBeGreaterThan(0);
    await snap(pageA, 'render-in-progress');
    const job = await waitForJob(alpha, 'still-e2e');
    expect(job.state).toBe('done');
    const workers = await pageA.locator('.bucket-outline[data-state="done"]').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-worker')))]);
    expect(workers).toContain(alpha.deviceId);
    expect(workers.filter((w) => w !== alpha.deviceId).length).toBeGreaterThan(0);
    const file = join(job.submission.outputDir, job.outputs[0]!);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    await snap(pageA, 'render-done');
  });

  it('pausing sharing on a teammate changes the team capacity on the designer\'s screen', async () => {
    // These "machines" share two cores with three browsers, so their free cores read 0 whatever
    // they do: what changes on the designer's screen is beta's card and what the team may use.
    const header = pageA.getByTestId('team-capacity');
    await expect.poll(() => header.textContent(), { timeout: UI_HANG_MS }).toMatch(/3 machines/);
    const betaCard = pageA.getByRole('list', { name: 'Team members' }).getByRole('listitem', { name: 'beta' });
    await pageB.getByRole('button', { name: 'Pause sharing' }).click();
    await expect.poll(() => betaCard.textContent(), { timeout: UI_HANG_MS }).toMatch(/sharing paused/);
    await snap(pageA, 'capacity-after-beta-paused');
    await pageB.getByRole('button', { name: 'Share this machine' }).click();
    await expect.poll(() => betaCard.textContent(), { timeout: UI_HANG_MS }).not.toMatch(/sharing paused/);
  });

  it('a teammate killed mid-job shows offline, and the job still finishes', async () => {
    await chooseAnotherScene(pageA);
    await renderFromUi(pageA, SCENE, { name: 'frames-e2e', firstFrame: 1, lastFrame: 8, width: 240, height: 135, samples: 12 });
    // Kill whichever teammate is rendering a frame for us now.
    const grid = pageA.getByTestId('frame-grid');
    await grid.waitFor();
    const workerOf = () =>
      grid.locator('li[data-state="running"][data-worker], li[data-state="leased"][data-worker]').evaluateAll(
        (els, self) => els.map((e) => e.getAttribute('data-worker')).find((w) => w && w !== self) ?? null,
        alpha.deviceId,
      );
    try {
      await expect.poll(workerOf, { timeout: UI_HANG_MS }).not.toBeNull();
    } catch (err) {
      await snap(pageA, 'no-teammate-rendering');
      const job = (await alpha.cli<{ jobId: string; submission: { name: string } }[]>(['jobs'])).find((j) => j.submission.name === 'frames-e2e');
      const detail = job ? await alpha.cli<{ tasks: { taskId: string; state: string; attempts: { workerId: string; outcome: string }[] }[] }>(['job', job.jobId]) : null;
      throw new Error(`${(err as Error).message}; tasks: ${JSON.stringify(detail?.tasks.map((t) => [t.state, t.attempts.map((a) => `${a.workerId.slice(0, 6)}:${a.outcome}`)]))}`, { cause: err });
    }
    const victim = (await workerOf()) === gamma.deviceId ? gamma : beta;
    await victim.kill('SIGKILL');
    const member = pageA.getByRole('list', { name: 'Team members' }).getByRole('listitem', { name: victim.name });
    await expect.poll(() => member.getByText('offline', { exact: true }).count(), { timeout: UI_HANG_MS }).toBe(1);
    await snap(pageA, `${victim.name}-offline-mid-job`);
    const job = await waitForJob(alpha, 'frames-e2e');
    expect(job.state).toBe('done');
    expect(job.outputs.length).toBe(8);
    await snap(pageA, 'frames-done-without-it');
  });

  it('the agent stopping under the page is shown, not a hang', async () => {
    await alpha.kill('SIGTERM');
    await pageA.getByTestId('agent-unreachable').waitFor({ timeout: UI_HANG_MS });
    await snap(pageA, 'agent-gone');
  });
});

interface JobSummary {
  jobId: string;
  state: string;
  outputs: string[];
  createdAtMs: number;
  finishedAtMs: number | null;
  errors: string[];
  submission: { name: string; outputDir: string };
}

type JobDetail = {
  tasks: { taskId: string; state: string; attempts: { workerId: string; outcome: string; startedAtMs: number; endedAtMs: number | null; speculative: boolean; error?: string | null }[] }[];
};

/** Where a job's time went: each task's attempts, by machine, in seconds from the job's start. */
function timeline(agents: AgentProcess[], job: JobSummary, detail: JobDetail): string {
  const who = (id: string) => agents.find((a) => a.deviceId === id)?.name ?? id.slice(0, 6);
  const at = (ms: number | null) => (ms === null ? '…' : ((ms - job.createdAtMs) / 1000).toFixed(1));
  const tasks = detail.tasks.map(
    (t) => `  ${t.taskId.split(':')[1]} ${t.state}: ${t.attempts.map((a) => `${who(a.workerId)}${a.speculative ? '*' : ''} ${at(a.startedAtMs)}-${at(a.endedAtMs)} ${a.outcome}`).join(', ')}`,
  );
  return `${job.submission.name}: ${job.state} after ${at(job.finishedAtMs)} s${job.errors.length ? ` (${job.errors.join('; ')})` : ''}\n${tasks.join('\n')}`;
}

/**
 * The job of that name on the agent, once it has ended. What fails it is a job that stops moving:
 * no task or attempt changed for `stallMs`. A loaded laptop renders slowly, and that is no failure.
 */
async function waitForJob(agent: AgentProcess, name: string, stallMs = 120_000): Promise<JobSummary> {
  let seen = '';
  let movedAtMs = Date.now();
  for (;;) {
    const job = (await agent.cli<JobSummary[]>(['jobs'])).find((j) => j.submission.name === name);
    if (job && ['done', 'failed', 'cancelled'].includes(job.state)) {
      console.log(timeline(bedAgents, job, await agent.cli<JobDetail>(['job', job.jobId])));
      return job;
    }
    const detail = job ? await agent.cli<JobDetail>(['job', job.jobId]) : null;
    const now = JSON.stringify([job?.state, detail?.tasks.map((t) => [t.state, t.attempts.map((a) => a.outcome)])]);
    if (now !== seen) [seen, movedAtMs] = [now, Date.now()];
    if (Date.now() - movedAtMs > stallMs) {
      // Which task waits, on whom, and what each attempt came to: enough to tell a slow machine from a stuck job.
      const open = detail?.tasks.filter((t) => t.state !== 'done').map((t) => `${t.taskId.split(':')[1]} ${t.state} [${t.attempts.map((a) => `${a.workerId.slice(0, 6)}:${a.outcome}${a.error ? ` (${a.error})` : ''}`).join(' ')}]`);
      throw new Error(`job ${name} stopped moving: nothing changed for ${stallMs} ms (${job?.state ?? 'not found'}); open tasks: ${open?.join(', ')}; ${agent.name} stderr: ${agent.stderr.slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
