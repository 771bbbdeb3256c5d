export declare const MESSAGE_BY_MSG_ID: string;
export declare const LAST_SEQ: string;
export declare const INSERT_MESSAGE: string;
export declare const BUMP_CONVERSATION: string;
