/** File writing shared by every module: atomic writes (temporary file, then rename). */
package org.ddpm4j.runtime.io;
