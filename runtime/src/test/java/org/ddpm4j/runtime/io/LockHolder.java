package org.ddpm4j.runtime.io;

import java.nio.file.Path;

/** A process that holds {@link RunFolderLock} on {@code args[0]} until it is killed (for forked tests). */
public final class LockHolder {

    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        RunFolderLock lock = RunFolderLock.acquire(Path.of(args[0]), "lock-holder");
        System.out.println("locked " + lock.folder());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
