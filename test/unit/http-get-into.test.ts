import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResponseHead, refusal } from '../../runner/storage/http-get-into.ts';

const expected = { size: 213, etag: '0cc175b9c0f1b6a831c399e269772661' };
const head = (lines: string[]) => parseResponseHead(lines.join('\r\n'));

test('parseResponseHead reads the status and lower-cases header names', () => {
  const parsed = head(['HTTP/1.1 200 OK', 'Content-Length: 213', 'ETag: "abc"', 'X-Amz-Request-Id:  r1 ']);
  assert.equal(parsed?.status, 200);
  assert.deepEqual([...(parsed?.headers ?? [])], [['content-length', '213'], ['etag', '"abc"'], ['x-amz-request-id', 'r1']]);
});

test('parseResponseHead refuses a head that is not HTTP/1.x or has a line without a colon', () => {
  assert.equal(head(['HTTP/2 200', 'Content-Length: 1']), undefined);
  assert.equal(head(['garbage']), undefined);
  assert.equal(head(['HTTP/1.1 200 OK', 'no colon here']), undefined);
  assert.equal(head(['HTTP/1.0 404'])?.status, 404);
});

test('refusal accepts only a 200 with the listed size and ETag, and names what differs', () => {
  const ok = ['HTTP/1.1 200 OK', 'Content-Length: 213', `ETag: "${expected.etag}"`];
  const cases: Array<[string[], string | undefined]> = [
    [ok, undefined],
    [['HTTP/1.1 503 Slow Down', ...ok.slice(1)], 'HTTP 503'],
    [[...ok, 'Transfer-Encoding: chunked'], 'transfer-encoding chunked'],
    [['HTTP/1.1 200 OK', `ETag: "${expected.etag}"`], 'content-length missing; expected 213'],
    [['HTTP/1.1 200 OK', 'Content-Length: 212', `ETag: "${expected.etag}"`], 'content-length 212; expected 213'],
    [['HTTP/1.1 200 OK', 'Content-Length: 213', 'ETag: "ffff"'], `ETag ffff; expected ${expected.etag}`],
  ];
  for (const [lines, why] of cases) {
    const parsed = head(lines);
    assert.ok(parsed, lines.join(' | '));
    assert.equal(refusal(parsed, expected), why, lines.join(' | '));
  }
});
