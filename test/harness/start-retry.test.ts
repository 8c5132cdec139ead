/**
 * The harness starts a file's server once more when the first start fails or stalls, and
 * stops whatever the abandoned attempt started; a second failure fails the file.
 */
import { describe, expect, it, vi } from 'vitest';
import { startedWithRetry } from '../support/server.js';

interface FakeServer {
  readonly id: number;
  stopped: boolean;
  stop(): Promise<void>;
}

function fakeServer(id: number): FakeServer {
  const server: FakeServer = {
    id,
    stopped: false,
    stop: async () => {
      server.stopped = true;
    },
  };
  return server;
}

const never = new Promise<never>(() => undefined);

describe('startedWithRetry', () => {
  it('uses the first server when it comes up', async () => {
    const first = fakeServer(1);
    const start = vi.fn(async () => first);
    expect(await startedWithRetry(start, async () => 'db_1', 1000)).toEqual({
      server: first,
      readied: 'db_1',
    });
    expect(start).toHaveBeenCalledTimes(1);
    expect(first.stopped).toBe(false);
  });

  it('starts another when the first stalls getting ready, and stops the first', async () => {
    const first = fakeServer(1);
    const servers = [first, fakeServer(2)];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const started = await startedWithRetry(
        async () => servers.shift() ?? fakeServer(0),
        (server) => (server.id === 1 ? never : Promise.resolve(`db_${server.id}`)),
        50,
      );
      expect(started.server.id).toBe(2);
      expect(started.readied).toBe('db_2');
      await vi.waitFor(() => expect(first.stopped).toBe(true));
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(
        /attempt 1 failed after .* stalled for 0\.05 s while creating the test database/,
      );
    } finally {
      stderr.mockRestore();
    }
  });

  it('stops a server that comes up only after its attempt was given up', async () => {
    let late: FakeServer | undefined;
    let release: () => void = () => undefined;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      let calls = 0;
      const started = await startedWithRetry(
        () => {
          calls++;
          if (calls > 1) return Promise.resolve(fakeServer(2));
          return new Promise<FakeServer>((resolve) => {
            release = () => resolve((late = fakeServer(1)));
          });
        },
        async () => undefined,
        50,
      );
      expect(started.server.id).toBe(2);
      release();
      await vi.waitFor(() => expect(late?.stopped).toBe(true));
    } finally {
      stderr.mockRestore();
    }
  });

  it('fails with the second error when both attempts fail', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      let calls = 0;
      await expect(
        startedWithRetry(
          async () => {
            calls++;
            throw new Error(`postgres exited at start (${calls})`);
          },
          async () => undefined,
          1000,
        ),
      ).rejects.toThrow('postgres exited at start (2)');
      expect(calls).toBe(2);
    } finally {
      stderr.mockRestore();
    }
  });
});
