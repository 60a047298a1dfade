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
  assert.deepEqual(Object.keys(d.components.securitySchemes).sort(), ['basicAuth', 'bearerAuth', 'tokenHeader', 'tokenQuery']);
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

test('heartbeat pings: open or any token (query too); optional body in JSON or text; /analyze: JSON or multipart, token', () => {
  const d = doc();
  const ping = d.paths['/heartbeat/{service}/{action}'].post;
  assert.deepEqual(ping.security, [{}, { bearerAuth: [] }, { tokenHeader: [] }, { tokenQuery: [] }, { basicAuth: [] }, { basicAuth: [], tokenHeader: [] }, { basicAuth: [], tokenQuery: [] }]);
  assert.equal(d.components.securitySchemes.tokenQuery.in, 'query');
  assert.equal(ping.requestBody.required, false);
  assert.deepEqual(Object.keys(ping.requestBody.content), ['application/json', 'text/plain']);
  assert.equal(d.components.schemas.PushedMetrics.properties.cpu.maximum, 100);
  assert.deepEqual(ping.parameters.map((p: any) => [p.name, p.in, p.required]), [
    ['service', 'path', true],
    ['action', 'path', true],
    ['rid', 'query', false],
    ['token', 'query', false],
  ]);
  assert.deepEqual(Object.keys(ping.responses).sort(), ['200', '400', '401', '403', '404', '413', '500']);
  assert.equal(d.paths['/heartbeat/{service}'].get.requestBody, undefined);
  assert.ok(d.paths['/heartbeats'].get && d.paths['/heartbeats/{service}'].get);

  const analyze = d.paths['/analyze'].post;
  assert.deepEqual(analyze.security, [{ bearerAuth: [] }, { tokenHeader: [] }, { basicAuth: [], tokenHeader: [] }]);
  assert.equal(analyze.requestBody.required, true);
  assert.deepEqual(Object.keys(analyze.requestBody.content), ['application/json', 'multipart/form-data']);
  assert.deepEqual(analyze.requestBody.content['multipart/form-data'].schema.required, ['file']);
  // the query parameters come from the schema the handler validates with (strings coerced to numbers)
  assert.deepEqual(
    analyze.parameters.map((p: any) => [p.name, p.schema.type, p.schema.minimum, p.schema.maximum]),
    [
      ['interval', 'number', 1, 86_400],
      ['allowed_misses', 'integer', 1, 100],
      ['tolerance', 'number', 0, 1e9],
      ['until', 'string', undefined, undefined],
    ],
  );
  assert.ok(analyze.responses['503'].headers['Retry-After']);
  assert.deepEqual(d.components.schemas.AnalyzeResult.properties.invalid_by_reason.required.length, 7);
});
