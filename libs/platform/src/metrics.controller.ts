import { Controller, Get, Header } from '@nestjs/common';
import { Public } from './identity.js';
import { metricsRegistry } from '@saga/runtime';

/** `GET /metrics`: the service's measurements in the Prometheus text format (see @saga/runtime metrics.ts). */
@Public() // for the scraper: counts and durations, nothing about a customer
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', metricsRegistry.contentType)
  scrape(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
