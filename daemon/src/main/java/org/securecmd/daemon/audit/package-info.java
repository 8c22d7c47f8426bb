/**
 * What happened, for people and for scrapers: one audit line per request and per refused connection on
 * the {@code securecmd.audit} logger (and one per {@code QUOTE} verdict, written by the quote policy), the
 * counters behind {@code securecmdctl metrics}, and the packaged
 * logging setup those lines go through ({@link org.securecmd.daemon.audit.PackagedLogging}).
 */
package org.securecmd.daemon.audit;
