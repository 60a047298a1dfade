import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { z } from 'zod';
import { API_GROUPS } from './api-list.ts';
import { docsApi } from './docs.ts';
import { buildOpenApi, errorSchema, type ApiOperation } from './registry.ts';

const doc = () => buildOpenApi({ version: '1.2.3', groups: [...API_GROUPS, docsApi] }) as Record<string, any>;

test('the generated document is valid OpenAPI 3.1', async () => {
  const v = new Validator();
  const res = await v.validate(doc());
  assert.equal(v.version, '3.1');
  assert.deepEqual(res.errors ?? [], []);
  assert.equal(res.valid, true);
});

test('query and path parameters, bodies and auth come from the zod schemas the routes validate with', () => {
  const d = doc();
  const list = d.paths['/alerts'].get;
  assert.deepEqual(
    list.parameters.map((p: any) => [p.name, p.in, p.required, p.schema.type, p.schema.maximum]),
    [
      ['limit', 'query', false, 'integer', 500],
      ['offset', 'query', false, 'integer', undefined],
    ],
  );
  const create = d.paths['/silences'].post;
  const body = create.requestBody.content['application/json'].schema;
  assert.deepEqual(body.required, ['matchers', 'endsAt', 'comment']);
  assert.equal(body.properties.endsAt.format, 'date-time', 'z.coerce.date() documented as an ISO string');
  assert.equal(body.properties.matchers.minItems, 1);
  assert.deepEqual(create.security, [{ bearerAuth: [] }, { tokenHeader: [] }, { basicAuth: [], tokenHeader: [] }]);
  assert.deepEqual(d.paths['/health'].get.security, [{}, { basicAuth: [] }]);
  assert.deepEqual(Object.keys(d.components.securitySchemes).sort(), ['basicAuth', 'bearerAuth', 'tokenHeader']);
  assert.equal(d.paths['/silences/{id}'].delete.parameters[0].in, 'path');
  assert.equal(d.paths['/silences/{id}'].delete.responses['409'].content['application/json'].schema.$ref, '#/components/schemas/Error');
  for (const [path, item] of Object.entries<Record<string, any>>(d.paths)) {
    for (const [method, op] of Object.entries<any>(item)) assert.ok(op.responses['401'], `${method} ${path} documents 401`);
  }
});

test('a route file adds its description in one place: one more list', () => {
  const extra: ApiOperation[] = [
    {
      method: 'get',
      path: '/things/{id}',
      operationId: 'getThing',
      tag: 'things',
      summary: 'a thing',
      pathParams: z.object({ id: z.string() }),
      responses: { 200: { description: 'ok', schema: z.object({ id: z.string() }) }, 404: { description: 'none', schema: errorSchema } },
    },
  ];
  const d = buildOpenApi({ version: '1', groups: [...API_GROUPS, extra] }) as Record<string, any>;
  assert.ok(d.paths['/things/{id}'].get);
  assert.ok(d.tags.some((t: any) => t.name === 'things'));
  assert.throws(() => buildOpenApi({ version: '1', groups: [extra, extra] }), /described twice/);
});
