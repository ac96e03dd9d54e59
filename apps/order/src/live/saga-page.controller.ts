import { Controller, Get, Inject, Redirect } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { Public } from '@saga/platform';
import { fileURLToPath } from 'node:url';
import { ORDER_CONFIG, type OrderConfig } from '../config.js';

/**
 * The saga page: plain files in `saga-page/` (HTML, one small ES module, CSS), served as they are under `/saga/`.
 * No front-end build: the service's build copies the folder beside the compiled code (see project.json).
 */
export const sagaPage = {
  directory: fileURLToPath(new URL('./saga-page/', import.meta.url)),
  prefix: '/saga',
} as const;

@Public() // the page and its settings: what it shows comes from the API, with the viewer's token
@Controller()
export class SagaPageController {
  constructor(@Inject(ORDER_CONFIG) private readonly config: OrderConfig) {}

  /** The service's root opens the page. */
  @Get()
  @Redirect(`${sagaPage.prefix}/`, 302)
  root(): void {}

  /** What the page needs to know of the service's configuration: where to link an order's traces, if anywhere. */
  @Get(`${sagaPage.prefix}/settings`)
  @ApiExcludeEndpoint() // the page's own, not part of the API
  settings(): { traceViewerUrl: string | null } {
    return { traceViewerUrl: this.config.TRACE_VIEWER_URL ?? null };
  }
}
