/**
 * Each service's HTTP API as an OpenAPI document, made by @nestjs/swagger from the routes themselves and the zod
 * schemas they validate with (`@Body({ schema })`, ...). Served at `/docs` (Swagger UI) and `/docs/openapi.json`;
 * tools/api-docs writes the same documents to docs/api/ and a test keeps them there up to date.
 */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

const descriptions: Record<string, string> = {
  order:
    'Places, lists, cancels and erases orders, each the start of a saga; streams their changes; serves the live ' +
    'saga page. Every service also answers /health/live, /health/ready, /health and /metrics.',
  payment: "Customers' credit limits, and the payment taken (or declined, or refunded) for each order.",
  inventory: 'Stock per SKU: available, reserved for running orders, sold.',
  shipping: 'The shipment scheduled (or refused) for each order.',
};

export function openApiDocument(app: INestApplication, service: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(`${service} service`)
    .setDescription(descriptions[service] ?? '')
    .setVersion('1')
    // Routes marked @ApiBearerAuth() need it (@saga/platform identity.ts); in the demo, `npm run token -- ada`.
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at `/docs`, the document at `/docs/openapi.json`. */
export function serveApiDocs(app: INestApplication, service: string): void {
  SwaggerModule.setup('docs', app, () => openApiDocument(app, service), { jsonDocumentUrl: 'docs/openapi.json' });
}
