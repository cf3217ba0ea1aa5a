import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DASHBOARD_CSS } from './dashboard.css.js';
import { DASHBOARD_HTML } from './dashboard.html.js';
import { DASHBOARD_JS } from './dashboard.js.js';

/** Same-origin only: no inline script, no CDN, so the page works offline and XSS has nowhere to load from. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/**
 * `GET /`: the observability page. Its files are TypeScript string modules, so they ship
 * inside `dist/apps` with the code (no asset copying in the build or the Dockerfile).
 */
@ApiExcludeController()
@Controller()
export class PageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return DASHBOARD_HTML;
  }

  @Get('assets/dashboard.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  styles(): string {
    return DASHBOARD_CSS;
  }

  @Get('assets/dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return DASHBOARD_JS;
  }
}
