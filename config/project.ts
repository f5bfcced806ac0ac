/** The project name: the namespace of every config key (`oe-lab-ipm:network`). */
export const PROJECT = "oe-lab-ipm";
