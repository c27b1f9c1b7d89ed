/** Module testlab. */
package org.cunicu4j.testlab;
