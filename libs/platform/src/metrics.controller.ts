import { Controller, Get, Header } from '@nestjs/common';
import { metricsRegistry } from '@saga/runtime';

/** `GET /metrics`: the service's measurements in the Prometheus text format (see @saga/runtime metrics.ts). */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', metricsRegistry.contentType)
  scrape(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
