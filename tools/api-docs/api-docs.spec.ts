/**
 * The API documents in docs/api/ are generated from the code and committed, so that a reader (or a tool) finds them
 * without running anything. This test fails when the code and the documents part: run `npm run api-docs` to
 * write them again, and commit the change with the code that caused it.
 */
import { describe, expect, it } from '@jest/globals';
import { eventCatalogue } from '@saga/events';
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { asyncApiDocument } from './asyncapi.js';
import { openApiDocumentOf, services } from './openapi.js';

const root = new URL('../../', import.meta.url);

/** The document as committed: pretty-printed JSON, as the repository's formatter leaves it. */
async function rendered(document: object, path: string): Promise<string> {
  const file = new URL(path, root);
  return format(JSON.stringify(document), { ...(await resolveConfig(file)), filepath: file.pathname });
}

async function expectCommitted(document: object, path: string): Promise<void> {
  const expected = await rendered(document, path);
  if (process.env.UPDATE_API_DOCS === '1') writeFileSync(new URL(path, root), expected);
  const committed = readFileSync(new URL(path, root), 'utf8');
  const fix = 'run `npm run api-docs` and commit what it writes';
  expect({ path, upToDate: committed === expected, fix }).toEqual({ path, upToDate: true, fix });
}

/** Every `$ref` in `document` that points nowhere inside it. */
function brokenRefs(document: object): string[] {
  const resolve = (pointer: string) =>
    pointer
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (node, key) => (node as Record<string, unknown> | undefined)?.[key.replaceAll('~1', '/')],
        document,
      );
  const broken: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/') && resolve(value) === undefined)
          broken.push(value);
        else walk(value);
      }
    }
  };
  walk(document);
  return broken;
}

describe('the AsyncAPI document (docs/api/asyncapi.json)', () => {
  const document = asyncApiDocument();

  it('is the one the event catalogue and the handlers generate', async () => {
    await expectCommitted(document, 'docs/api/asyncapi.json');
  });

  it('describes every event type, each on its topic, and every reference in it resolves', () => {
    expect(Object.keys(document.components.messages)).toEqual(expect.arrayContaining(Object.keys(eventCatalogue)));
    expect(brokenRefs(document)).toEqual([]);
  });

  it("says who receives what, from the services' @OnEvent handlers", () => {
    expect(document.operations['payment.receives.order-events']).toMatchObject({
      action: 'receive',
      messages: [
        { $ref: '#/channels/order-events/messages/OrderPlaced' },
        { $ref: '#/channels/order-events/messages/OrderCancelled' },
      ],
    });
  });
});

describe.each(services)('the OpenAPI document of the %s service (docs/api/)', (service) => {
  it('is the one its routes and their schemas generate', async () => {
    const document = await openApiDocumentOf(service);
    await expectCommitted(document, `docs/api/${service}.openapi.json`);
    expect(brokenRefs(document)).toEqual([]);
  });
});
