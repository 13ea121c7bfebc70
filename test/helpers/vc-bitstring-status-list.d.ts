// Types for the parts of @digitalbazaar/vc-bitstring-status-list the tests use (the package ships none).
declare module "@digitalbazaar/vc-bitstring-status-list" {
  export interface BitstringStatusList {
    length: number;
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    encode(): Promise<string>;
  }
  export function createList(options: { length: number }): Promise<BitstringStatusList>;
  export function decodeList(options: { encodedList: string }): Promise<BitstringStatusList>;
  export function createCredential(options: {
    id: string;
    list: BitstringStatusList;
    statusPurpose: string;
    context?: string[];
  }): Promise<Record<string, unknown>>;
  export interface CheckStatusResult {
    verified: boolean;
    error?: Error;
    results?: {
      verified: boolean;
      credentialStatus: { statusPurpose: string; statusListCredential: string; statusListIndex: string };
      status: boolean;
    }[];
  }
  export function checkStatus(options: {
    credential: object;
    documentLoader: (url: string) => Promise<{ document: object; documentUrl?: string; contextUrl?: null }>;
    suite?: object;
    verifyBitstringStatusListCredential?: boolean;
    verifyMatchingIssuers?: boolean;
  }): Promise<CheckStatusResult>;
}
