/**
 * Capstan's own plumbing, shared by its modules. <strong>Not API</strong>: anything here may change
 * or go away in any release; embedders and plug-ins should not use it.
 */
package dev.capstan.internal;
