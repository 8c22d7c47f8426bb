/**
 * What happened, for people and for scrapers: one audit line per request and per refused connection on
 * the {@code securecmd.audit} logger, and the counters behind {@code securecmdctl metrics}.
 */
package org.securecmd.daemon.audit;
