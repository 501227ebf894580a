import { expect } from 'chai';
import { z } from 'zod';
import { buildOpenApi } from '../../src/adapters/http/openapi.js';
import type { RegisteredRoute } from '../../src/adapters/http/route-registry.js';

/* Issue 13 §3: the OpenAPI document declares every answer the README's error table lists, and where the server is. */
describe('OpenAPI document: error answers and servers (issue 13 §3)', () => {
  const routes = [
    { method: 'post', path: '/api/v2/things', tag: 't', summary: 'create', roles: ['admin'], body: z.object({ name: z.string() }), responses: { 201: { description: 'made' } } },
    { method: 'post', path: '/api/v2/things/:id/import', tag: 't', summary: 'import', roles: ['admin'], params: z.object({ id: z.coerce.number() }),
      docRawBody: { contentType: 'text/csv', description: 'csv' }, responses: { 200: { description: 'read' } } },
    { method: 'get', path: '/health', tag: 't', summary: 'health', roles: 'public', responses: { 200: { description: 'up' } } },
  ] as unknown as RegisteredRoute[];
  const doc = buildOpenApi(routes, { title: 'x', version: '1' }) as any;

  it('a route with a JSON or a file body declares 413 and 415; every route declares 500', () => {
    for (const op of [doc.paths['/api/v2/things'].post, doc.paths['/api/v2/things/{id}/import'].post]) {
      expect(op.responses).to.include.keys('400', '401', '403', '413', '415', '500');
      expect(op.responses['413'].content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/Error' });
    }
    const health = doc.paths['/health'].get.responses;
    expect(health).to.include.keys('200', '500');
    expect(health).to.not.have.any.keys('413', '415', '401');
  });

  it('names the server: relative to where the document is served', () => {
    expect(doc.servers).to.deep.equal([{ url: '/', description: 'the server that serves this document' }]);
  });
});
