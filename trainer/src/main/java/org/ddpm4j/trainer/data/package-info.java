/** Training data: Fashion-MNIST IDX files and image folders, brought to the model's size and channels. */
package org.ddpm4j.trainer.data;
