/** Module cli. */
package org.cunicu4j.cli;
