/**
 * The interfaces of the catalogue, in both bindings, through the same pipeline:
 *
 *   POST /api/v1/{interfaceId}   JSON: the request fields; answered with the envelope
 *   POST /soap/{interfaceId}     SOAP 1.1; answered in kind
 *   GET  /api/v1/openapi.json    the API repository (slide 22): OpenAPI 3.1
 *   GET  /soap?wsdl              WSDL 1.1 with the XSD of every message
 *
 * identity (hub-server.ts) → codec (validate from the catalogue) → policy → route to the area's
 * grid or answer at the hub → present in the caller's binding → audit (with the supply point).
 *
 * Refusals of the request itself (validation, policy, a grid that cannot be reached) are normal
 * responses with result NG, as in the real system; transport and authentication failures are
 * HTTP errors (and SOAP faults), and so is a document that is not a usable request at all: JSON
 * that does not parse or names a key twice (HTTP 400), a SOAP document that is not XML, not a SOAP
 * 1.1 envelope or not in our namespace (a SOAP Fault, HTTP 500 as SOAP 1.1 §6.2 says).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../../domain/refusal.ts';
import { interfaceById } from '../../interfaces/catalogue/catalogue.ts';
import { jsonResponse, parseJsonRequest } from '../../interfaces/json.ts';
import { openApiDocument } from '../../interfaces/openapi.ts';
import { parseSoapRequest, soapFault, soapResponse } from '../../interfaces/soap.ts';
import type { FieldValues, Validation } from '../../interfaces/validate.ts';
import { wsdlDocument } from '../../interfaces/wsdl.ts';
import { checkAttachments, maxAttachmentRequestBytes, validatedWithAttachments, type AttachmentFile } from '../../interfaces/attachments.ts';
import { filesOf, formDataBody, isFormDataBody, parseRelated, type RelatedPart } from '../../platform/http/multipart.ts';
import { callerOf, actorOfRequest } from '../http/context.ts';
import { registerBulkRoutes } from '../bulk/bulk.routes.ts';
import { answerChecked, type InterfaceDeps } from './call.ts';

export type { InterfaceDeps } from './call.ts';

type Binding = 'json' | 'soap';

/** A multipart/related body: its parts, the root (the SOAP envelope) first. */
class RelatedBody {
  readonly parts: readonly RelatedPart[];
  constructor(parts: readonly RelatedPart[]) {
    this.parts = parts;
  }
}

async function relatedBody(contentType: string, body: Buffer): Promise<RelatedBody> {
  return new RelatedBody(await parseRelated(contentType, body));
}

/**
 * The JSON request and its files: a plain body is the request; a multipart/form-data one holds it
 * in the part named `request` (text or a file) and the files in parts named `attachment`.
 */
function jsonDocumentOf(body: unknown): { document: unknown; files: AttachmentFile[] } {
  if (!isFormDataBody(body)) return { document: body, files: [] };
  const requestFiles = filesOf(body, 'request');
  const text = body.request;
  if ((text === undefined ? 0 : 1) + requestFiles.length !== 1) throw new Refusal('ATTACHMENT_REQUEST_PART');
  return { document: text ?? requestFiles[0]!.bytes, files: filesOf(body, 'attachment') };
}

/**
 * The SOAP envelope and its files: a plain body is the envelope; in a multipart/related one (SOAP
 * with attachments, or MTOM with the envelope as application/xop+xml) the root part is, and every
 * other part is one file, named by its Content-Disposition filename, else Content-Location, else Content-ID.
 */
function soapDocumentOf(body: unknown): { document: unknown; files: AttachmentFile[] } {
  if (!(body instanceof RelatedBody)) return { document: body, files: [] };
  const [root, ...rest] = body.parts;
  const files = rest.map((part) => ({
    fileName:
      /filename\*?="?(?:UTF-8'')?([^";]+)"?/i.exec(part.headers['content-disposition'] ?? '')?.[1]?.trim() ??
      part.headers['content-location'] ??
      part.contentId,
    type: part.type,
    bytes: part.bytes,
  }));
  return { document: root!.bytes, files: files.map((f) => ({ ...f, fileName: decodeName(f.fileName) })) };
}

/** A file name given percent-encoded (RFC 5987 `filename*=UTF-8''…`) as text; otherwise as it is. */
function decodeName(name: string): string {
  try {
    return /%[0-9A-Fa-f]{2}/.test(name) ? decodeURIComponent(name) : name;
  } catch {
    return name;
  }
}

export function registerInterfaceRoutes(app: FastifyInstance, deps: InterfaceDeps): void {
  // SOAP bodies arrive as bytes: the XML parser (interfaces/xml.ts) decodes them strictly and
  // enforces its own limits.
  app.addContentTypeParser(['text/xml', 'application/soap+xml', 'application/xml'], { parseAs: 'buffer', bodyLimit: 512 * 1024 }, (_request, body, done) =>
    done(null, body),
  );

  app.get('/api/v1/openapi.json', { config: { action: 'apiRepository' } }, async (request) =>
    openApiDocument({ serverUrl: `https://${request.headers.host ?? 'localhost'}` }),
  );
  app.get('/soap', { config: { action: 'apiRepository' } }, async (request, reply) => {
    if (!('wsdl' in (request.query as object))) throw new Refusal('HTTP_NOT_FOUND');
    return reply.type('text/xml; charset=utf-8').send(wsdlDocument(`https://${request.headers.host ?? 'localhost'}`));
  });

  const handle = (binding: Binding) => async (request: FastifyRequest, reply: FastifyReply) => {
    const id = (request.params as { interfaceId: string }).interfaceId;
    const def = interfaceById(id);
    if (!def) throw new Refusal('HTTP_NOT_FOUND');
    // A multipart request carries document attachments (interfaces/attachments.ts) beside the request itself.
    const { document, files } = binding === 'json' ? jsonDocumentOf(request.body) : soapDocumentOf(request.body);
    let parsed: Validation<FieldValues>;
    if (binding === 'json') parsed = parseJsonRequest(def, document);
    else {
      if (!(document instanceof Uint8Array)) throw new Refusal('HTTP_BAD_REQUEST');
      const soap = parseSoapRequest(def, document);
      if (!soap.ok && soap.fault) {
        // SOAP 1.1 §6.2: a Fault travels with HTTP 500, whatever its faultcode.
        const [first] = soap.messages;
        request.audit.result = first?.code ?? 'IF_SOAP_NOT_ENVELOPE';
        return reply
          .code(500)
          .type('text/xml; charset=utf-8')
          .send(soapFault(first?.code ?? '', first?.text ?? '', soap.faultcode));
      }
      parsed = soap;
    }
    const response = await answerChecked(
      deps,
      { caller: callerOf(request), actor: actorOfRequest(request), requestId: String(request.id), audit: request.audit },
      def,
      validatedWithAttachments(parsed, checkAttachments(def, files)),
      binding === 'json' ? document : undefined,
    );
    if (response.result === 'NG') request.audit.result = response.messages[0]?.code ?? 'NG';
    if (binding === 'soap') return reply.type('text/xml; charset=utf-8').send(soapResponse(def, response));
    return reply.type('application/json; charset=utf-8').send(jsonResponse(def, response));
  };
  // The action is known before the body is read, so a body refused by the codec (a key given twice) is audited as this interface's.
  const auditAction = async (request: FastifyRequest) => {
    request.audit.action = (request.params as { interfaceId: string }).interfaceId;
  };
  // Multipart bodies (attachments) are read for these two routes only, up to the attachments' limit.
  app.register(async (scoped) => {
    scoped.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: maxAttachmentRequestBytes },
      async (request: FastifyRequest, body: Buffer) => formDataBody(String(request.headers['content-type'] ?? ''), body),
    );
    scoped.addContentTypeParser(
      'multipart/related',
      { parseAs: 'buffer', bodyLimit: maxAttachmentRequestBytes },
      async (request: FastifyRequest, body: Buffer) => relatedBody(String(request.headers['content-type'] ?? ''), body),
    );
    scoped.post('/api/v1/:interfaceId', { onRequest: auditAction }, handle('json'));
    scoped.post('/soap/:interfaceId', { onRequest: auditAction }, handle('soap'));
  });
  registerBulkRoutes(app, deps);
}
