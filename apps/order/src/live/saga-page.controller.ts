import { Controller, Get, Redirect } from '@nestjs/common';
import { fileURLToPath } from 'node:url';

/**
 * The saga page: plain files in `saga-page/` (HTML, one small ES module, CSS), served as they are under `/saga/`.
 * No front-end build: the service's build copies the folder beside the compiled code (see project.json).
 */
export const sagaPage = {
  directory: fileURLToPath(new URL('./saga-page/', import.meta.url)),
  prefix: '/saga',
} as const;

@Controller()
export class SagaPageController {
  /** The service's root opens the page. */
  @Get()
  @Redirect(`${sagaPage.prefix}/`, 302)
  root(): void {}
}
