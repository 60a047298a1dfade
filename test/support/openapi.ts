import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

type Content = Record<string, { schema: unknown }>;
type Doc = {
  paths: Record<string, Record<string, { requestBody?: { content: Content }; responses: Record<string, { content?: Content }> }>>;
  components: { schemas: Record<string, unknown> };
};

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/**
 * Checks real responses against an OpenAPI 3.1 document's response schemas (JSON Schema 2020-12, $refs into
 * components). Returns the problems (empty when the response matches); a status the operation does not document is one.
 */
export function responseChecker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const cache = new Map<string, ReturnType<Ajv2020['compile']>>();
  return (method: string, pathTemplate: string, status: number, contentType: string, body: unknown): string[] => {
    const op = doc.paths[pathTemplate]?.[method.toLowerCase()];
    if (!op) return [`${method} ${pathTemplate} is not in the document`];
    const resp = op.responses[String(status)];
    if (!resp) return [`${method} ${pathTemplate}: status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`];
    const mediaType = contentType.split(';')[0]!.trim();
    if (!resp.content) return [];
    const media = resp.content[mediaType];
    if (!media) return [`${method} ${pathTemplate} ${status}: content type ${mediaType} is not documented (${Object.keys(resp.content).join(', ')})`];
    const key = `${method} ${pathTemplate} ${status} ${mediaType}`;
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile({ ...(media.schema as object), components: doc.components });
      cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

/**
 * Checks a JSON request body against the operation's documented request body schema. Returns the problems (empty
 * when the document accepts the body): a body the server took (2xx) that the document refuses is a wrong document.
 */
export function requestChecker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const cache = new Map<string, ReturnType<Ajv2020['compile']>>();
  return (method: string, pathTemplate: string, body: unknown): string[] => {
    const op = doc.paths[pathTemplate]?.[method.toLowerCase()];
    if (!op) return [`${method} ${pathTemplate} is not in the document`];
    const media = op.requestBody?.content['application/json'];
    if (!media) return [`${method} ${pathTemplate}: no JSON request body documented`];
    const key = `${method} ${pathTemplate}`;
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile({ ...(media.schema as object), components: doc.components });
      cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${key} request: ${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`);
  };
}
