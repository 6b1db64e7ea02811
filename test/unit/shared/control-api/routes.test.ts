import { describe, expect, it } from 'vitest';
import { CONTROL_ROUTES, matchRoute, pathOf, type RouteName } from '../../../../shared/control-api/routes.js';
import { ControlApiClient } from '../../../../shared/control-api/control-client.js';
import { schemaChecks } from '../../../../shared/control-api/answer-checks.js';
import { TroupeError } from '../../../../shared/errors.js';

describe('control API route table', () => {
  it('every route matches its own path, built with its parameters, and no other', () => {
    const params = { member: 'render box', pairingId: 'ab12', requestId: 'cd34', jobId: '0123456789abcdef', sortKey: '-maxSpeed', table: 'variants', engine: 'blender', action: 'install-addon' };
    for (const name of Object.keys(CONTROL_ROUTES) as RouteName[]) {
      const path = pathOf(name, params);
      const match = matchRoute(CONTROL_ROUTES[name].method, path);
      expect(match, `${name} ${path}`).toMatchObject({ name });
    }
  });

  it('encodes parameters, and a path of another form matches nothing', () => {
    expect(pathOf('removeMember', { member: 'a/b c' })).toBe('/api/team/members/a%2Fb%20c');
    expect(matchRoute('GET', '/api/jobs/xyz')).toBeNull();
    expect(matchRoute('GET', '/api/nope')).toBeNull();
    expect(matchRoute('GET', '/api/jobs/0123456789abcdef/variants/mass')).toBeNull(); // not a sort key
    expect(matchRoute('DELETE', '/api/status')).toBe('wrong-method');
  });

  it('the typed client builds the request from the table and turns error answers into TroupeErrors', async () => {
    const seen: unknown[] = [];
    const client = new ControlApiClient(async (method, path, body) => {
      seen.push([method, path, body]);
      return path === '/api/jobs/0123456789abcdef/priority'
        ? { status: 404, value: { error: { code: 'not-found', message: 'No job 0123456789abcdef on this machine' } } }
        : { status: 200, value: { ok: true } };
    });
    await client.call('status');
    await client.call('addNearby', { address: '10.0.0.2:47800' });
    await client.call('acceptRequest', { requestId: 'cd34' });
    const err = await client.call('setJobPriority', { jobId: '0123456789abcdef' }, { priority: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TroupeError);
    expect((err as TroupeError).code).toBe('not-found');
    expect(seen).toEqual([
      ['GET', '/api/status', undefined],
      ['POST', '/api/nearby', { address: '10.0.0.2:47800' }],
      ['POST', '/api/pair-requests/cd34/accept', undefined],
      ['PUT', '/api/jobs/0123456789abcdef/priority', { priority: 5 }],
    ]);
  });

  it('with the schema checks, an answer that does not match its route is refused in words, and fields it does not know are kept', async () => {
    const strict = (value: unknown) => new ControlApiClient(async () => ({ status: 200, value }), { checks: schemaChecks });
    const err = await strict({ job: 'nope' })
      .call('job', { jobId: '0123456789abcdef' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TroupeError);
    expect((err as TroupeError).message).toMatch(/answer to job is not what this version expects/);
    const answer = await strict({ removed: true, extra: 1 }).call('removeMember', { member: 'x' });
    expect(answer).toEqual({ removed: true, extra: 1 });
  });
});
