/*-------------------------------------------------------------------------
 *
 * change.h
 *	  Change requests (change.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_CHANGE_H
#define SO_CHANGE_H

#include "sqlstate.h"


#endif							/* SO_CHANGE_H */
