/** Module linux. */
package org.cunicu4j.linux;
